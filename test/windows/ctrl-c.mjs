// Ctrl-C under wine, as a check (scripts/windows-smoke.sh runs it): Windows'
// node.exe runs `offloop gray` on a folder of large PNGs with the win32-x64
// prebuild, and once its first output exists this (Linux) process sends
// SIGINT to the node.exe process, which wine turns into a console Ctrl-C
// event (CTRL_C_EVENT) that Node reports as SIGINT, as a Ctrl-C in a Windows
// console would. The batch must stop: exit 130, "interrupted by SIGINT" in
// the summary, no temporary file left, and every output that exists whole
// (decoded here with the Linux build: the input's gray pixels, its size).
//
//   node test/windows/ctrl-c.mjs <node.exe> [runs]      (wine64 on PATH, WINEPREFIX set)
//
// One file at a time (--threads 1 --concurrency 1), 40 files of 1600x1200:
// the signal lands mid-batch with seconds to spare. A run whose batch ends
// before the signal fails, saying so, rather than passing without a check.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { ihdr, pngFrom, rng } from '../fixtures/fuzz/cases.mjs';

const root = new URL('../..', import.meta.url).pathname;
const offloop = createRequire(import.meta.url)(join(root, 'dist', 'cjs', 'index.js'));
const [nodeExe, runsArg = '1'] = process.argv.slice(2);
if (!nodeExe) throw new Error('usage: node test/windows/ctrl-c.mjs <node.exe> [runs]');
const FILES = 40;
const [WIDTH, HEIGHT] = [1600, 1200];
const STARTUP_LIMIT_MS = 600_000; // wine starting node.exe on a busy machine: seconds; a hang: this
const EXIT_LIMIT_MS = 60_000; // after the signal, the batch stops within one file's time
const windowsPath = (path) => `Z:${path.replaceAll('/', '\\')}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A photo-like RGB PNG (smooth ramps and noise: a real encode's cost, not a blank's). */
function photoPng(width, height) {
  const next = rng(7);
  const stride = width * 3 + 1;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * stride + 1 + x * 3;
      const noise = (next() - 0.5) * 24;
      rows[at] = Math.max(0, Math.min(255, (x * 255) / width + noise));
      rows[at + 1] = Math.max(0, Math.min(255, (y * 255) / height + noise));
      rows[at + 2] = Math.max(0, Math.min(255, 128 + 40 * Math.sin(x / 37) + noise));
    }
  }
  return pngFrom([
    { type: 'IHDR', data: ihdr(width, height, 8, 2, 0) }, // 8-bit RGB, not interlaced
    { type: 'IDAT', data: deflateSync(rows, { level: 1 }) },
    { type: 'IEND', data: new Uint8Array(0) },
  ]);
}

/** Every file under `dir`, relative; none for a folder not made. */
const listAll = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    : [];

async function interruptOnce(work, input, want, run) {
  const out = join(work, `out-${run}`);
  const log = (name) => join(work, `run-${run}.${name}`);
  // Files, not pipes: Node's stdout to a pipe fails under wine (EBADF).
  const fds = [openSync(log('out'), 'w'), openSync(log('err'), 'w')];
  const cli = join(root, 'dist', 'cjs', 'cli', 'main.js');
  const child = spawn(
    'wine64',
    [nodeExe, cli, 'gray', windowsPath(input), '-o', windowsPath(out), '--threads', '1', '--concurrency', '1'],
    { stdio: ['ignore', ...fds], env: { ...process.env, PREBUILDS_ONLY: '1' } },
  );
  fds.forEach(closeSync);
  let exit;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exit = { code, signal }))));
  const tail = () =>
    `stdout: ${readFileSync(log('out'), 'utf8').slice(-400)}\nstderr: ${readFileSync(log('err'), 'utf8').slice(-400)}`;
  const started = Date.now();
  // (wine64 execs node.exe in place: child.pid is the node.exe process.)
  while (!listAll(out).some((name) => !name.includes('offloop-tmp'))) {
    if (exit) throw new Error(`exited (${JSON.stringify(exit)}) before its first output\n${tail()}`);
    if (Date.now() - started > STARTUP_LIMIT_MS) {
      child.kill('SIGKILL');
      throw new Error(`no output after ${STARTUP_LIMIT_MS / 1000} s\n${tail()}`);
    }
    await sleep(20);
  }
  const firstOutput = Date.now() - started;
  child.kill('SIGINT');
  const limit = setTimeout(() => child.kill('SIGKILL'), EXIT_LIMIT_MS);
  await exited;
  clearTimeout(limit);
  const stopped = Date.now() - started - firstOutput;
  const stdout = readFileSync(log('out'), 'utf8');
  const problems = [];
  const files = listAll(out);
  const outputs = files.filter((name) => !name.includes('offloop-tmp'));
  if (exit.code === 0 && outputs.length === FILES)
    problems.push('the batch ended (exit 0) before SIGINT reached it: the check proved nothing (more files?)');
  else if (exit.code !== 130)
    problems.push(
      `exit ${exit.code ?? exit.signal} after SIGINT, not 130${exit.signal === 'SIGKILL' ? ` (killed: still running ${EXIT_LIMIT_MS / 1000} s after the signal)` : ''}`,
    );
  const summary = stdout.trim().split(/\r?\n/).at(-1) ?? '';
  const interrupted = /^interrupted by SIGINT after (\d+) files? in /.exec(summary);
  if (!interrupted) problems.push(`the summary is not "interrupted by SIGINT after ...": ${JSON.stringify(summary)}`);
  const temporaries = [...files, ...listAll(input)].filter((name) => name.includes('offloop-tmp'));
  if (temporaries.length) problems.push(`temporary files left: ${temporaries.join(', ')}`);
  if (outputs.length >= FILES) problems.push(`all ${FILES} outputs written: the signal did not stop the batch`);
  const processedLines = stdout.split(/\r?\n/).filter((line) => line.startsWith('processed: '));
  const processed = processedLines.length;
  // Windows paths as Windows writes them: one backslash between folders.
  const doubled = processedLines.find((line) => line.includes('\\\\'));
  if (doubled) problems.push(`a path printed with doubled backslashes: ${doubled}`);
  if (interrupted && Number(interrupted[1]) !== processed)
    problems.push(`the summary counts ${interrupted[1]} files, the lines ${processed}`);
  // A file renamed into place counts however late the abort; one the abort
  // stopped leaves nothing: so as many outputs as files reported.
  if (outputs.length !== processed)
    problems.push(`${outputs.length} outputs for ${processed} files reported processed`);
  for (const name of outputs) {
    try {
      const image = offloop.grayscaleFileSync(join(out, name));
      if (image.width !== WIDTH || image.height !== HEIGHT) problems.push(`${name}: ${image.width}x${image.height}`);
      else if (Buffer.compare(Buffer.from(image.data), want) !== 0) problems.push(`${name}: pixels differ`);
    } catch (error) {
      problems.push(`${name} does not decode: ${error.code} ${error.message}`);
    }
  }
  const line = `first output ${(firstOutput / 1000).toFixed(1)} s after start, exit ${exit.code} ${(stopped / 1000).toFixed(1)} s after SIGINT, ${outputs.length} of ${FILES} outputs`;
  if (problems.length) throw new Error(`${line}\n  ${problems.join('\n  ')}\n${tail()}`);
  return `${line}, each whole (${WIDTH}x${HEIGHT}, the input's gray pixels); no temporary file`;
}

const work = mkdtempSync(join(tmpdir(), 'offloop-ctrl-c-'));
let failed = 0;
try {
  const input = join(work, 'in');
  mkdirSync(input);
  const first = join(input, 'photo-00.png');
  writeFileSync(first, photoPng(WIDTH, HEIGHT));
  // Links, not copies: the batch reads them as 40 files, the disk holds one.
  for (let i = 1; i < FILES; i++) linkSync(first, join(input, `photo-${String(i).padStart(2, '0')}.png`));
  const want = Buffer.from(offloop.grayscaleFileSync(first).data);
  for (let run = 1; run <= Number(runsArg); run++) {
    try {
      console.log(`ctrl-c: run ${run}: ok: ${await interruptOnce(work, input, want, run)}`);
    } catch (error) {
      console.log(`ctrl-c: run ${run}: FAILED: ${error.message}`);
      failed++;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
