// How outputs are written (issue 15, items 5 and 6): a replaced file keeps
// its mode, a new one gets 0666 less the umask, the temporary file is
// created 0600 and given its final mode before the rename, temporary names
// fit in NAME_MAX whatever the output's name and belong to exactly one
// output name, and `durable` fsyncs the file and its folder around the
// rename. The system calls are watched with strace where the order matters.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import { isTemporaryOf, temporaryStem } from '../../lib/files/temporary.js';
import { ROOT } from '../helpers.js';
import { fixture, tempFolder } from './helpers.js';

const SCRIPT = join(ROOT, 'test/files/write-output.mjs');
const CLI = join(ROOT, 'dist/cjs/cli/main.js');
const JPEG = fixture('jpeg/ycc-444-base-61x37.jpg');
const HAS_STRACE = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true']).status === 0;

let temp: ReturnType<typeof tempFolder>;
beforeAll(() => {
  temp = tempFolder('offloop-outputs-');
});
afterAll(() => temp.cleanup());

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Writes JPEG to `output` in a child process with `umask`; with `trace`, the system calls on the output's files too. */
function write(output: string, umask: string, options: object = {}, trace = false) {
  const args = [SCRIPT, JPEG, output, umask, JSON.stringify(options)];
  const log = join(temp.dir, `strace-${basename(output).slice(0, 40)}-${Date.now()}.log`);
  const run = trace
    ? spawnSync(
        'strace',
        ['-ff', '-qq', '-e', 'trace=openat,fchmod,fsync,rename,close', '-o', log, process.execPath, ...args],
        { encoding: 'utf8', timeout: 60_000 },
      )
    : spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const outcome = JSON.parse(run.stdout) as { ok?: true; code?: string; message?: string };
  if (!trace) return { outcome, calls: [] as string[] };
  // The calls of the thread that wrote the output (-ff: one log per thread,
  // so no call is split by another thread's), in order, on this folder's
  // files or on file descriptors.
  const folder = output.slice(0, output.lastIndexOf('/') + 1);
  const calls = readdirSync(temp.dir)
    .filter((name) => name.startsWith(`${basename(log)}.`))
    .map((name) => readFileSync(join(temp.dir, name), 'utf8').split('\n'))
    .find((lines) => lines.some((line) => line.includes('.offloop-tmp')))!
    .filter((line) => line.includes(folder) || /^(fchmod|fsync)\(/.test(line));
  return { outcome, calls };
}

describe('modes', () => {
  it('a new output gets 0666 less the umask', () => {
    for (const [umask, mode] of [
      ['022', 0o644],
      ['027', 0o640],
      ['077', 0o600],
      ['002', 0o664],
    ] as const) {
      const output = join(temp.dir, `new-${umask}.jpg`);
      expect(write(output, umask).outcome).toEqual({ ok: true });
      expect(modeOf(output), umask).toBe(mode);
    }
  });

  it('a replaced output keeps its mode (chmod 600 stays 600), whatever the umask', async () => {
    for (const mode of [0o600, 0o640, 0o755, 0o444]) {
      const output = join(temp.dir, `kept-${mode.toString(8)}.jpg`);
      writeFileSync(output, 'old');
      chmodSync(output, mode);
      expect(write(output, '000').outcome).toEqual({ ok: true });
      expect(modeOf(output), mode.toString(8)).toBe(mode);
      expect(readFileSync(output).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    // In this process too, sync and async.
    const output = join(temp.dir, 'kept-here.jpg');
    writeFileSync(output, 'old');
    chmodSync(output, 0o600);
    await grayscaleFile(JPEG, { output });
    grayscaleFileSync(JPEG, { output });
    expect(modeOf(output)).toBe(0o600);
  });

  it.skipIf(!HAS_STRACE)('the temporary file is created 0600 and given its final mode before the rename', () => {
    const output = join(temp.dir, 'traced.jpg');
    const { outcome, calls } = write(output, '022', {}, true);
    expect(outcome).toEqual({ ok: true });
    const create = calls.findIndex((c) =>
      /^openat\(.*\.offloop-tmp", O_WRONLY\|O_CREAT\|O_EXCL\|O_CLOEXEC, 0600\) = \d+$/.test(c),
    );
    expect(create, calls.join('\n')).toBeGreaterThanOrEqual(0);
    const fd = calls[create]!.match(/= (\d+)$/)![1];
    const chmod = calls.findIndex((c) => c === `fchmod(${fd}, 0644) = 0` || c.startsWith(`fchmod(${fd}, 0644)`));
    const rename = calls.findIndex((c) => c.startsWith('rename(') && c.includes(`"${output}"`));
    expect(chmod, calls.join('\n')).toBeGreaterThan(create);
    expect(rename, calls.join('\n')).toBeGreaterThan(chmod);
    // Without durable: no fsync.
    expect(calls.some((c) => c.startsWith('fsync('))).toBe(false);
  });
});

describe('temporary names', () => {
  it('outputs named with 226 to 255 bytes are written (the temporary name fits in NAME_MAX)', async () => {
    const dir = join(temp.dir, 'long');
    mkdirSync(dir);
    const names = [
      `${'a'.repeat(222)}.jpg`,
      `${'b'.repeat(251)}.jpg`,
      // Two-byte characters: 255 bytes; the cut keeps whole characters.
      `${'é'.repeat(125)}x.jpg`,
      `${'€'.repeat(83)}x.jpg`,
    ];
    for (const name of names) {
      expect(Buffer.byteLength(name)).toBeGreaterThanOrEqual(226);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
      await grayscaleFile(JPEG, { output: join(dir, name) });
      grayscaleFileSync(JPEG, { output: join(dir, name) });
    }
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
  });

  it('a temporary name belongs to exactly one output name', () => {
    const temporary = (name: string, hex = '0123456789abcdef') =>
      `${temporaryStem(name).toString('utf8')}.${hex}.offloop-tmp`;
    expect(temporary('a.jpg')).toBe('.a.jpg.0123456789abcdef.offloop-tmp');
    expect(isTemporaryOf('/x/a.jpg', temporary('a.jpg'))).toBe(true);
    expect(isTemporaryOf('a.jpg', temporary('a.jpg'))).toBe(true);
    // The old prefix match took these for a.jpg's.
    expect(isTemporaryOf('/x/a.jpg', temporary('a.jpg.jpg'))).toBe(false);
    expect(isTemporaryOf('/x/a.jpg.jpg', temporary('a.jpg'))).toBe(false);
    expect(isTemporaryOf('/x/a.jpg', '.a.jpg.0123456789abcdeg.offloop-tmp')).toBe(false);
    expect(isTemporaryOf('/x/a.jpg', '.a.jpg.0123456789ABCDEF.offloop-tmp')).toBe(false);
    expect(isTemporaryOf('/x/a.jpg', '.a.jpg.0123456789abcdef.offloop-tmp.x')).toBe(false);
    expect(isTemporaryOf('/x/a.jpg', 'a.jpg')).toBe(false);
    // Long names: cut and hashed, always 255 bytes at most, still one owner.
    const long = `${'z'.repeat(240)}.jpg`;
    const other = `${'z'.repeat(240)}.png`;
    expect(Buffer.byteLength(temporary(long))).toBe(255);
    expect(isTemporaryOf(long, temporary(long))).toBe(true);
    expect(isTemporaryOf(other, temporary(long))).toBe(false);
    expect(isTemporaryOf(long, temporary(other))).toBe(false);
    for (let bytes = 1; bytes <= 255; bytes++) {
      for (const name of ['q'.repeat(bytes), `${'é'.repeat(bytes >> 1)}${bytes % 2 ? 'q' : ''}`]) {
        const made = temporary(name);
        expect(Buffer.byteLength(made)).toBeLessThanOrEqual(255);
        expect(made).not.toContain('\ufffd');
        expect(isTemporaryOf(name, made)).toBe(true);
      }
    }
  });

  it.skipIf(!HAS_STRACE)('the native writer names its temporaries as isTemporaryOf matches them', () => {
    const dir = join(temp.dir, 'native-names');
    mkdirSync(dir);
    for (const name of ['a.jpg', `${'a'.repeat(230)}.jpg`, `${'é'.repeat(125)}x.jpg`, `${'€'.repeat(70)}.jpg`]) {
      const output = join(dir, name);
      const { outcome, calls } = write(output, '022', {}, true);
      expect(outcome).toEqual({ ok: true });
      const created = calls
        .map((c) => c.match(/^openat\(AT_FDCWD, "([^"]+\.offloop-tmp)", O_WRONLY/)?.[1])
        .filter((p) => p !== undefined);
      expect(created.length).toBe(1);
      // strace prints non-ASCII bytes as octal escapes.
      const bytes = Buffer.from(
        created[0]!.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
        'latin1',
      );
      const entry = basename(bytes.toString('utf8'));
      expect(isTemporaryOf(output, entry), entry).toBe(true);
      expect(existsSync(join(dir, entry))).toBe(false);
    }
  });
});

describe('durable', () => {
  it.skipIf(!HAS_STRACE)('fsyncs the file before the rename and the folder after it', () => {
    const output = join(temp.dir, 'durable.jpg');
    const { outcome, calls } = write(output, '022', { durable: true }, true);
    expect(outcome).toEqual({ ok: true });
    const create = calls.findIndex((c) => c.includes('.offloop-tmp", O_WRONLY'));
    const fd = calls[create]!.match(/= (\d+)$/)![1];
    const syncFile = calls.findIndex((c) => c.startsWith(`fsync(${fd})`));
    const rename = calls.findIndex((c) => c.startsWith('rename(') && c.includes(`"${output}"`));
    const openFolder = calls.findIndex((c, i) => i > rename && c.includes('O_DIRECTORY'));
    const folderFd = calls[openFolder]!.match(/= (\d+)$/)![1];
    const syncFolder = calls.findIndex((c, i) => i > openFolder && c.startsWith(`fsync(${folderFd})`));
    expect(
      [create, syncFile, rename, openFolder, syncFolder].every((v, i, all) => i === 0 || v > all[i - 1]!),
      calls.join('\n'),
    ).toBe(true);
  });

  it('is validated: a boolean', async () => {
    await expect(grayscaleFile(JPEG, { output: join(temp.dir, 'd.jpg'), durable: 1 as never })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect((await grayscaleFile(JPEG, { output: join(temp.dir, 'd.jpg'), durable: true })).width).toBe(61);
  });

  it('offloop gray --fsync writes every file', () => {
    const dir = join(temp.dir, 'cli-fsync');
    mkdirSync(dir);
    for (let i = 0; i < 5; i++) copyFileSync(JPEG, join(dir, `p${i}.jpg`));
    const run = spawnSync(process.execPath, [CLI, 'gray', dir, '-o', join(dir, 'out'), '--fsync'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['p0.jpg', 'p1.jpg', 'p2.jpg', 'p3.jpg', 'p4.jpg']);
    if (HAS_STRACE) {
      // Each of the 5 outputs and its folder: at least 10 fsyncs (none without --fsync).
      const count = (flags: string[]) => {
        const log = join(temp.dir, `cli-fsync-${flags.length}.log`);
        const traced = spawnSync(
          'strace',
          [
            '-f',
            '-qq',
            '-e',
            'trace=fsync',
            '-o',
            log,
            process.execPath,
            CLI,
            'gray',
            dir,
            '-o',
            join(dir, `out-${flags.length}`),
            ...flags,
          ],
          { encoding: 'utf8', timeout: 60_000 },
        );
        expect(traced.status, traced.stderr).toBe(0);
        return readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => /fsync\(\d+/.test(line)).length;
      };
      expect(count(['--fsync'])).toBeGreaterThanOrEqual(10);
      expect(count([])).toBe(0);
    }
  });
});
