// The image decoders fuzzed through the real addon (issue 8): every fixture
// cut at many offsets, bytes flipped, headers restructured, huge and empty
// headers, random data behind valid magic numbers (test/fixtures/fuzz/cases.mjs).
// Every call must resolve or fail with an image error code, in bounded time,
// with the process's memory bounded; a child process runs them, so a crash
// or a hang fails the test with the case named instead of killing the runner.
// Phase sync calls the raw binding.grayscaleFileSync; phase async the public
// grayscaleFile, four calls in flight, some aborted; phase huge the headers
// of huge sizes (some allocate GBs), sync, each one's peak memory measured.
//
// OFFLOOP_FUZZ_CASES=N sets the calls per phase (default 8000; 3000 under
// ASan, which runs the whole suite: npm run test:asan). OFFLOOP_FUZZ_SEED=N
// picks other random choices (default 1); a failure prints its seed and the
// command that reruns the one case.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/fuzz/image-fuzz.mjs', import.meta.url));
const STUB = fileURLToPath(new URL('./fixtures/fuzz/stub-binding.mjs', import.meta.url));
// scripts/sanitize.mjs preloads ASan's runtime into every node process.
const ASAN = /libasan/.test(process.env.LD_PRELOAD ?? '');
const CASES = Number(process.env.OFFLOOP_FUZZ_CASES ?? (ASAN ? 3000 : 8000));
const SEED = Number(process.env.OFFLOOP_FUZZ_SEED ?? 1);
// The side of the in-limit-but-large headers (256 MP normally: ~1 GB for a progressive JPEG's coefficients).
const BIG = ASAN ? 6000 : 16000;
// A call taking longer fails (3 times as long for the huge headers); a child silent for longer than its
// cases may take, plus 5 s, is killed as hung.
const CASE_MS = ASAN ? 60_000 : 10_000;
// RSS growth from after the warm-up to the end; a huge header's peak beyond 4 bytes a pixel (ASan: shadow, quarantine).
const RSS_MB = ASAN ? 1024 : 256;
const SLACK_MB = ASAN ? 768 : 128;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last cases started before the end (the one a crash happened in is last, in sync runs). */
  lastCases: string[];
  problems: string[];
  summary: Record<string, unknown> | undefined;
  stderr: string;
  /** No output for `idleMs`: killed. */
  hung: boolean;
}

/** Runs the child, killing it when it prints nothing for `idleMs` (one case's limit). */
function runChild(
  args: string[],
  { idleMs, env = {} }: { idleMs: number; env?: Record<string, string> },
): Promise<Run> {
  return new Promise((resolve) => {
    // Allocations too large for ASan's allocator must fail as they do without it (the native code's
    // out-of-memory path), not abort the process.
    const asanOptions = ASAN ? { ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ?? ''}:allocator_may_return_null=1` } : {};
    const child = spawn(process.execPath, ['--expose-gc', CHILD, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...asanOptions, ...env },
    });
    const run: Run = {
      code: null,
      signal: null,
      lastCases: [],
      problems: [],
      summary: undefined,
      stderr: '',
      hung: false,
    };
    let pending = '';
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        run.hung = true;
        child.kill('SIGKILL');
      }, idleMs);
    };
    arm();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      arm();
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('> ')) {
          run.lastCases.push(line.slice(2));
          if (run.lastCases.length > 4) run.lastCases.shift();
        } else if (line.startsWith('! ')) run.problems.push(line.slice(2));
        else if (line.startsWith('= ')) run.summary = JSON.parse(line.slice(2));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      run.stderr = (run.stderr + chunk).slice(-4000);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      Object.assign(run, { code, signal });
      resolve(run);
    });
  });
}

/** Everything wrong with a run, as one message for the test's failure (seed and how to rerun included), or ''. */
function complaints(run: Run, phase: string): string {
  const last = run.lastCases.at(-1);
  const rerun = (name: string | undefined) =>
    `rerun: node --expose-gc test/fixtures/fuzz/image-fuzz.mjs --phase sync --seed ${SEED} --only '${name}'`;
  const lines: string[] = [];
  if (run.hung)
    lines.push(
      `no output for a case's time limit: hung in case "${last}" (${phase}, seed ${SEED}; in flight: ${run.lastCases.join(', ')})`,
      rerun(last),
    );
  else if (run.signal || run.summary === undefined) {
    lines.push(
      `the child died (${run.signal ?? `exit code ${run.code}`}) in case "${last}" (${phase}, seed ${SEED}; last started: ${run.lastCases.join(', ')})`,
      rerun(last),
    );
  }
  if (run.problems.length > 0) {
    lines.push(`${run.problems.length} problem(s) (${phase}, seed ${SEED}):`, ...run.problems.slice(0, 20));
    lines.push(rerun(run.problems[0].split(': ')[0]));
  }
  if (lines.length > 0 && run.stderr) lines.push('stderr:', run.stderr);
  return lines.join('\n');
}

interface Summary {
  cases: number;
  ok: number;
  cancelled: number;
  codes: Record<string, number>;
  elapsedS: number;
  rssMb: object;
}

function logSummary(phase: string, { cases, ok, cancelled, codes, elapsedS, rssMb }: Summary): void {
  console.log(`fuzz ${phase}: ${JSON.stringify({ cases, ok, cancelled, codes, seconds: elapsedS, rssMb })}`);
}

const childArgs = (phase: string) => [
  '--phase',
  phase,
  '--seed',
  String(SEED),
  '--cases',
  String(CASES),
  '--big',
  String(BIG),
  '--case-ms',
  String(CASE_MS),
  '--rss-mb',
  String(RSS_MB),
  '--slack-mb',
  String(SLACK_MB),
];

describe('image decoders under fuzzing (through the addon, in a child process)', () => {
  for (const phase of ['sync', 'async'] as const) {
    it(
      `${phase}: each case resolves or fails with an image error code, in bounded time and memory`,
      async () => {
        const run = await runChild(childArgs(phase), { idleMs: CASE_MS * (phase === 'async' ? 4 : 1) + 5000 });
        expect(complaints(run, phase)).toBe('');
        expect(run.code).toBe(0);
        const summary = run.summary as unknown as Summary;
        expect(summary.cases).toBeGreaterThanOrEqual(Math.min(CASES, 500));
        // Both outcomes occur plentifully, or the cases are not what they claim to be.
        expect(summary.ok).toBeGreaterThan(summary.cases / 20);
        expect(summary.codes.ERR_OFFLOOP_TRUNCATED_IMAGE).toBeGreaterThan(summary.cases / 20);
        expect(summary.codes.ERR_OFFLOOP_CORRUPT_IMAGE).toBeGreaterThan(summary.cases / 50);
        expect(summary.codes.ERR_OFFLOOP_UNSUPPORTED_FORMAT).toBeGreaterThan(0);
        expect(summary.codes.ERR_OFFLOOP_EMPTY_INPUT).toBeGreaterThan(0);
        if (phase === 'async') expect(summary.cancelled).toBeGreaterThan(summary.cases / 20);
        logSummary(phase, summary);
      },
      ASAN ? 1_800_000 : 180_000,
    );
  }

  it(
    'huge: headers of huge sizes are refused before allocating, or decode within one image of memory',
    async () => {
      const run = await runChild(childArgs('huge'), { idleMs: CASE_MS * 3 + 5000 });
      expect(complaints(run, 'huge')).toBe('');
      expect(run.code).toBe(0);
      const summary = run.summary as unknown as Summary;
      expect(summary.cases).toBeGreaterThanOrEqual(25);
      expect(summary.codes.ERR_OFFLOOP_INPUT_TOO_LARGE).toBeGreaterThanOrEqual(9);
      logSummary('huge', summary);
    },
    ASAN ? 1_800_000 : 180_000,
  );
});

// The harness itself: a stand-in binding that crashes, hangs or leaks at a chosen call is caught and named.
describe('the fuzz harness', () => {
  const stubArgs = [
    '--binding',
    STUB,
    '--groups',
    'flip,garbage',
    '--cases',
    '400',
    '--case-ms',
    '2000',
    '--rss-mb',
    '64',
  ];

  it('passes a binding that fails every input with a proper code', async () => {
    const run = await runChild([...stubArgs, '--phase', 'sync'], { idleMs: CASE_MS });
    expect(complaints(run, 'sync')).toBe('');
    expect(run.summary).toMatchObject({ cases: 400, ok: 0, problems: 0 });
  });

  it('names the case a crash happened in', async () => {
    const run = await runChild([...stubArgs, '--phase', 'sync'], {
      idleMs: CASE_MS,
      env: { OFFLOOP_FUZZ_STUB: 'crash:123' },
    });
    expect(run.signal).toBe('SIGSEGV');
    expect(complaints(run, 'sync')).toMatch(
      new RegExp(`child died \\(SIGSEGV\\) in case "${run.lastCases.at(-1)}"[^]*--only '${run.lastCases.at(-1)}'`),
    );
    expect(run.lastCases.at(-1)).toMatch(/^(flip|garbage|other):/);
  });

  it('names the case that hangs', async () => {
    const run = await runChild([...stubArgs, '--phase', 'sync'], {
      idleMs: 1500,
      env: { OFFLOOP_FUZZ_STUB: 'hang:77' },
    });
    expect(run.hung).toBe(true);
    expect(complaints(run, 'sync')).toContain(`hung in case "${run.lastCases.at(-1)}"`);
  });

  it('sees memory that keeps growing', async () => {
    const run = await runChild([...stubArgs, '--phase', 'sync'], {
      idleMs: CASE_MS,
      env: { OFFLOOP_FUZZ_STUB: 'leak' },
    });
    expect(complaints(run, 'sync')).toMatch(
      /\(memory\): RSS grew from \d+ MB after the warm-up to \d+ MB \(bound 64 MB\)/,
    );
  });
});
