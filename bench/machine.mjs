// What the numbers were measured on: printed in the header and recorded with
// the results, so a figure is never read without its machine.
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

export function describeMachine(features) {
  return {
    cpu: cpuModel(),
    logicalCpus: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    offloop: {
      simd: features.simd,
      binary: features.binary,
      defaultConcurrency: features.defaultConcurrency,
    },
  };
}

export function machineLines(machine) {
  return [
    `CPU: ${machine.cpu} (${machine.logicalCpus} logical CPUs, availableParallelism ${machine.availableParallelism}), ${machine.memoryGiB} GiB RAM`,
    `OS: ${machine.platform}; Node ${machine.node} (V8 ${machine.v8})`,
    `offloop: SIMD path ${machine.offloop.simd}, binary ${machine.offloop.binary.source} (${machine.offloop.binary.path}), default pool ${machine.offloop.defaultConcurrency} threads`,
    ...(machine.ceilingIsa ? [`memory ceiling helper (bench/ceiling): ${machine.ceilingIsa} loops`] : []),
  ];
}
