// Turns the measurements into what people read: derived figures (GB/s, % of
// the ceiling, ratios), the markdown tables printed and written to
// bench/results/latest.md, the raw JSON (every sample) and the SVG chart
// (vega-lite compiled to vega, rendered headless with renderer 'none').
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as vega from 'vega';
import { compile } from 'vega-lite';

import { machineLines } from './machine.mjs';

const FAMILY_ORDER = ['js-main', 'js-map', 'offloop', 'piscina', 'ceiling'];

/** Adds GB/s, % of the same-thread-count ceiling and ratios to every contender row of a case. */
export function deriveFigures(caseResult) {
  const traffic = caseResult.bytes.input + caseResult.bytes.output;
  const rows = caseResult.contenders;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const js = byId.get('js-main');
  const map = byId.get('js-map');
  for (const r of rows) r.gbps = traffic > 0 ? traffic / (r.median / 1000) / 1e9 : null;
  // The ceiling at each thread count: the fastest ceiling variant's median
  // (memcpy or streaming copy for 'copy'; the streaming read for 'read').
  caseResult.ceilingByThreads = {};
  caseResult.trafficCeilingByThreads = {};
  for (const r of rows) {
    if (r.family !== 'ceiling') continue;
    if (r.yardstick === 'traffic') {
      caseResult.trafficCeilingByThreads[r.threads] = { id: r.id, median: r.median, gbps: r.gbps };
      continue; // a yardstick of its own, beside the case's ceiling (never taken for it)
    }
    const best = caseResult.ceilingByThreads[r.threads];
    if (best === undefined || r.median < best.median) {
      caseResult.ceilingByThreads[r.threads] = { id: r.id, median: r.median, gbps: r.gbps };
    }
  }
  for (const r of rows) {
    const ceiling = caseResult.ceilingByThreads[r.threads];
    r.pctOfCeiling = ceiling && r.family !== 'ceiling' ? (100 * ceiling.median) / r.median : null;
    const traffic = caseResult.trafficCeilingByThreads[r.threads];
    r.pctOfTrafficCeiling = traffic && r.family !== 'ceiling' ? (100 * traffic.median) / r.median : null;
    r.vsJsMain = js && r !== js ? js.median / r.median : null;
    r.vsJsMap = map && r !== map ? map.median / r.median : null;
    const piscina = byId.get(`piscina@${r.threads}`);
    r.vsPiscina = r.family === 'offloop' && piscina ? piscina.median / r.median : null;
  }
  rows.sort((a, b) => a.threads - b.threads || FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family));
  // js-main / js-map first: the baselines everything is compared with.
  rows.sort((a, b) => (a.family.startsWith('js') ? 0 : 1) - (b.family.startsWith('js') ? 0 : 1));
  return caseResult;
}

// ---------------------------------------------------------------------------
// Markdown

const num = (x, digits) => (x === null || x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits));
const ms = (x) => (x >= 100 ? num(x, 1) : x >= 10 ? num(x, 2) : num(x, 3));
const ratio = (x) => (x === null ? '' : `${x >= 10 ? num(x, 1) : num(x, 2)}x`);

function table(header, rows, align) {
  const lines = [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines;
}

function mib(bytes) {
  return `${num(bytes / 2 ** 20, bytes % 2 ** 20 === 0 ? 0 : 1)} MiB`;
}

function caseLines(c) {
  const hasGbps = c.bytes.input + c.bytes.output > 0;
  const hasMap = c.contenders.some((r) => r.family === 'js-map');
  const hasTraffic = Object.keys(c.trafficCeilingByThreads ?? {}).length > 0;
  const header = [
    'contender',
    'median ms',
    'p25–p75 ms',
    ...(hasGbps ? ['GB/s'] : []),
    ...(c.ceiling ? [`% ${c.ceiling} ceiling`] : []),
    ...(hasTraffic ? ['% traffic ceiling'] : []),
    '× js-main',
    ...(hasMap ? ['× js-map'] : []),
    '× piscina',
    'loop delay p99 / max ms',
  ];
  const rows = c.contenders.map((r) => [
    r.id,
    ms(r.median),
    `${ms(r.p25)}–${ms(r.p75)}`,
    ...(hasGbps ? [num(r.gbps, 2)] : []),
    ...(c.ceiling ? [r.pctOfCeiling === null ? '' : `${num(r.pctOfCeiling, 0)}%`] : []),
    ...(hasTraffic ? [r.pctOfTrafficCeiling === null ? '' : `${num(r.pctOfTrafficCeiling, 0)}%`] : []),
    ratio(r.vsJsMain),
    ...(hasMap ? [ratio(r.vsJsMap)] : []),
    ratio(r.vsPiscina),
    r.eventLoopDelay ? `${num(r.eventLoopDelay.p99Ms, 1)} / ${num(r.eventLoopDelay.maxMs, 1)}` : 'n/a',
  ]);
  const traffic = hasGbps ? ` — moves ${mib(c.bytes.input)} in + ${mib(c.bytes.output)} out` : '';
  const load =
    c.load?.otherCpuPct == null
      ? ''
      : ` — other CPU ${c.load.otherCpuPct}%${c.load.otherCpuPct >= 20 ? ' (contended)' : ''}` +
        `${c.attempts > 1 ? `, least contended of ${c.attempts} attempts` : ''}`;
  return [
    `### ${c.title} (\`${c.id}\`)${traffic}${load}`,
    '',
    ...table(header, rows, ['l', 'r', 'r', ...rows[0].slice(3).map(() => 'r')]),
    '',
  ];
}

function scalingLines(cases, threadCounts) {
  const header = ['case', 'contender', ...threadCounts.map((t) => `${t} thr ms`), `${threadCounts.at(-1)} vs 1`];
  const rows = [];
  for (const c of cases) {
    const names = [
      ...new Set(c.contenders.filter((r) => !r.family.startsWith('js')).map((r) => r.id.replace(/@\d+$/, ''))),
    ];
    for (const name of names) {
      const byThreads = threadCounts.map((t) => c.contenders.find((r) => r.id === `${name}@${t}`));
      if (byThreads.some((r) => r === undefined)) continue;
      rows.push([
        c.id,
        name,
        ...byThreads.map((r) => ms(r.median)),
        ratio(byThreads[0].median / byThreads.at(-1).median),
      ]);
    }
  }
  return rows.length ? table(header, rows, ['l', 'l', ...threadCounts.map(() => 'r'), 'r']) : [];
}

function tinyLines(tiny) {
  const us = (x) => num(x * 1000, 2);
  const rows = [
    [
      'offloop, sequential await',
      us(tiny.offloopSequential.median),
      `${us(tiny.offloopSequential.p25)}–${us(tiny.offloopSequential.p75)}`,
      String(tiny.offloopSequential.n),
      '',
    ],
    [
      `piscina@${tiny.threads}, sequential round trip`,
      us(tiny.piscinaSequential.median),
      `${us(tiny.piscinaSequential.p25)}–${us(tiny.piscinaSequential.p75)}`,
      String(tiny.piscinaSequential.n),
      ratio(tiny.piscinaSequential.median / tiny.offloopSequential.median),
    ],
    [
      `offloop, ${tiny.offloopConcurrent.calls} concurrent (per call)`,
      us(tiny.offloopConcurrent.median / tiny.offloopConcurrent.calls),
      `batch ${ms(tiny.offloopConcurrent.median)} ms`,
      String(tiny.offloopConcurrent.n),
      '',
    ],
    [
      `piscina@${tiny.threads}, ${tiny.piscinaConcurrent.calls} concurrent (per call)`,
      us(tiny.piscinaConcurrent.median / tiny.piscinaConcurrent.calls),
      `batch ${ms(tiny.piscinaConcurrent.median)} ms`,
      String(tiny.piscinaConcurrent.n),
      ratio(tiny.piscinaConcurrent.median / tiny.offloopConcurrent.median),
    ],
  ];
  return table(['tiny call (16 Float64)', 'median µs', 'p25–p75 µs', 'samples', 'piscina / offloop'], rows, [
    'l',
    'r',
    'r',
    'r',
    'r',
  ]);
}

export function reportLines({ machine, options, cases, tiny, targets, threadCounts, idleDelay, startedAt, durationS }) {
  const lines = [
    '# offloop benchmark results',
    '',
    `Run ${startedAt}${durationS ? `, ${num(durationS, 0)} s` : ''}: \`npm run bench${options.argv.length ? ` -- ${options.argv.join(' ')}` : ''}\`. ${options.warmup} warm-up + ${options.runs} timed rounds per case; ` +
      'each round runs every contender once (rotating order), all in one process; figures are medians.',
    '',
    ...machineLines(machine).map((l) => `- ${l}`),
    '',
    'Contenders: `js-main` = offloop/reference sync function on the main thread (the pure-JS loop); `js-map` = `array.map(x => x * x)`; ' +
      '`offloop@N` = offloop async with its pool set to N threads; `piscina@N` = piscina pool of N workers running the same JS loops on ' +
      'SharedArrayBuffer slices; `ceiling-memcpy@N` / `ceiling-stream@N` = N native threads copying (half of) the bytes the kernel ' +
      'reads + writes with memcpy / with the widest non-temporal stores, `ceiling-read@N` = N native threads streaming the input, ' +
      "`ceiling-traffic@N` = N native threads reading all of the input and writing an output's worth with streaming stores, no work " +
      '(bench/ceiling; blocking calls, so no loop delay). GB/s counts input + output bytes; "% ceiling" compares with the faster ' +
      'copy (or read) variant at the same thread count, "% traffic ceiling" with ceiling-traffic: no kernel that reads and writes ' +
      'those bytes can pass it, while a kernel that reads 3-4 bytes per byte written may not reach the copy ceiling on hosts where ' +
      'streaming stores cost less than reads. Every result was checked against offloop/reference before timing. ' +
      '"other CPU" is the CPU time other processes on the machine took while the case ran (% of one CPU): high values mean contended figures.',
    '',
    `Event-loop delay: \`monitorEventLoopDelay({ resolution: 1 })\`, enabled while one contender runs the case back to back (>= 5 calls and >= 250 ms, ` +
      `yielding to timers between calls; measured after the timed rounds). An idle loop reads p99 ` +
      `${num(idleDelay.p99Ms, 2)} ms / max ${num(idleDelay.maxMs, 2)} ms (the figure includes the 1 ms sampling interval).`,
    '',
  ];
  for (const c of cases) lines.push(...caseLines(c));
  if (threadCounts.length > 1 && cases.length) {
    lines.push('### Thread scaling (medians)', '', ...scalingLines(cases, threadCounts), '');
  }
  if (tiny) {
    const load =
      tiny.load?.otherCpuPct == null
        ? ''
        : ` — other CPU ${tiny.load.otherCpuPct}%${tiny.load.otherCpuPct >= 20 ? ' (contended)' : ''}`;
    lines.push(
      `### The cost of a tiny call${load}`,
      '',
      `offloop computes inputs this small (<= 32768 elements) on the calling thread and returns a settled promise; piscina posts the task to a worker and back.`,
      '',
      ...tinyLines(tiny),
      '',
    );
  }
  lines.push(
    '### Targets (issue #3)',
    '',
    ...table(
      ['target', 'result', 'measured'],
      targets.map((t) => [t.name, `**${t.status}**`, t.measured]),
      ['l', 'l', 'l'],
    ),
    '',
  );
  return lines;
}

// ---------------------------------------------------------------------------
// Chart

export function chartSpec({ cases, threadCounts, machine, options }) {
  const maxThreads = threadCounts.at(-1);
  const values = [];
  for (const c of cases) {
    if (!c.ceiling) continue; // GB/s against the memory system only where there is a flat buffer to compare
    const wanted = new Set([
      'js-main',
      `offloop@${maxThreads}`,
      `piscina@${maxThreads}`,
      c.ceilingByThreads[maxThreads]?.id,
    ]);
    for (const r of c.contenders) {
      if (!wanted.has(r.id)) continue;
      values.push({
        case: c.label,
        contender:
          r.family === 'ceiling'
            ? `memory ceiling @${maxThreads}`
            : r.family === 'js-main'
              ? 'pure JS, main thread'
              : r.id,
        family: r.family,
        gbps: Number(r.gbps.toFixed(3)),
        label:
          r.family === 'ceiling'
            ? `${r.gbps.toFixed(1)}`
            : `${r.gbps.toFixed(1)}${r.pctOfCeiling ? ` (${r.pctOfCeiling.toFixed(0)}%)` : ''}`,
      });
    }
  }
  const order = [
    'pure JS, main thread',
    `piscina@${maxThreads}`,
    `offloop@${maxThreads}`,
    `memory ceiling @${maxThreads}`,
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `offloop throughput: GB/s moved (input + output bytes), median of ${options.runs} rounds`,
      subtitle: `${machine.cpu}, ${maxThreads} threads, Node ${machine.node}, SIMD ${machine.offloop.simd}; % = share of the memory ceiling`,
    },
    data: { values },
    width: 560,
    height: { step: 14 },
    encoding: {
      y: { field: 'case', type: 'nominal', sort: null, title: null, axis: { labelLimit: 220, labelFontSize: 11 } },
      yOffset: { field: 'contender', type: 'nominal', sort: order },
      x: { field: 'gbps', type: 'quantitative', title: 'GB/s (higher is better)' },
      color: {
        field: 'contender',
        type: 'nominal',
        sort: order,
        scale: { range: ['#9e9e9e', '#f28e2b', '#4e79a7', '#59a14f'] },
        legend: { orient: 'bottom', title: null, columns: 4, labelLimit: 220 },
      },
    },
    layer: [
      { mark: { type: 'bar' } },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 }, encoding: { text: { field: 'label' } } },
    ],
    config: { font: 'sans-serif', view: { stroke: null } },
  };
}

export async function renderSvg(spec) {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function writeResults(dir, { markdown, json, svg }) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'latest.md'), markdown);
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(json, null, 1)}\n`);
  if (svg) await writeFile(join(dir, 'chart.svg'), svg);
}
