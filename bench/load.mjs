// Other processes' CPU use during the run. The machine may be shared (on a
// 2-core box one busy neighbour halves what 2 threads can do), so each case
// records how much CPU time the rest of the system took while it ran, and
// the run waits a little for a quiet machine before each case.
//
// Linux only (/proc/stat); elsewhere the figures are null. Everything this
// process runs (main thread, offloop's pool, piscina's workers, the ceiling's
// threads) is in process.cpuUsage(), so the difference is other processes.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const USER_HZ = 100; // /proc/stat ticks per second on every Linux ABI Node supports

function readProcStat() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { busy: user + nice + system + irq + softirq, steal, idle: idle + iowait };
  } catch {
    return null;
  }
}

export function loadSnapshot() {
  const usage = process.cpuUsage();
  return { stat: readProcStat(), ownUs: usage.user + usage.system, at: performance.now() };
}

/** CPU used by other processes (and stolen by the hypervisor) since `start`, in % of one CPU. */
export function loadSince(start) {
  const end = loadSnapshot();
  if (!start.stat || !end.stat) return { otherCpuPct: null, stealPct: null };
  const seconds = (end.at - start.at) / 1000;
  const busyS = (end.stat.busy - start.stat.busy) / USER_HZ;
  const ownS = (end.ownUs - start.ownUs) / 1e6;
  return {
    otherCpuPct: Math.max(0, Math.round((100 * (busyS - ownS)) / seconds)),
    stealPct: Math.round((100 * (end.stat.steal - start.stat.steal)) / USER_HZ / seconds),
  };
}

/**
 * Waits until other processes use less than `thresholdPct` of one CPU over
 * a short window, for at most `maxWaitS` seconds. Returns the last reading.
 */
export async function waitForQuiet({ thresholdPct = 15, maxWaitS = 60, windowMs = 500, onWait } = {}) {
  const deadline = performance.now() + maxWaitS * 1000;
  for (;;) {
    const start = loadSnapshot();
    await sleep(windowMs);
    const load = loadSince(start);
    if (load.otherCpuPct === null || load.otherCpuPct < thresholdPct || performance.now() >= deadline) return load;
    onWait?.(load);
  }
}
