// The `offloop` command line, spawned for real: a terminal run through a
// pseudo-terminal (util-linux's `script`), plain lines, JSON lines, exit
// codes, usage errors, and signals mid-batch with every output checked.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { barLine } from '../../lib/cli/reporters.js';
import { escapeText } from '../../lib/cli/text.js';
import { grayscaleFileSync } from '../../lib/index.js';
import {
  firstDifference,
  fixture,
  listAll as listFiles,
  manifest,
  readFixture,
  tempFolder,
  writeLargePng,
} from '../files/helpers.js';
import { ROOT } from '../helpers.js';

const CLI = join(ROOT, 'dist/cjs/cli/main.js');
const SMALL = ['jpeg/ycc-444-base-61x37.jpg', 'jpeg/gray-base-61x37.jpg', 'png/gray1-61x37.png', 'png/rgba8-61x37.png'];
const BROKEN = 'corrupt/png-bad-gama-crc.png';

let temp: ReturnType<typeof tempFolder>;
let small: string;
let large: string;
let largeOutput: Buffer;
const LARGE_FILES = 40;

function cli(args: string[], options: { cwd?: string } = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    cwd: options.cwd ?? temp.dir,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every file under `dir`, relative, sorted; none for a folder never made. */
function listAll(dir: string): string[] {
  return existsSync(dir) ? listFiles(dir) : [];
}

beforeAll(() => {
  temp = tempFolder('offloop-cli-');
  small = join(temp.dir, 'small');
  mkdirSync(join(small, 'sub'), { recursive: true });
  for (const rel of SMALL) copyFileSync(fixture(rel), join(small, rel.split('/')[1]!));
  copyFileSync(fixture(SMALL[0]!), join(small, 'sub', 'deep.jpg'));
  writeFileSync(join(small, 'notes.txt'), 'not an image');
  // Enough work that a signal lands mid-batch with one file at a time.
  large = join(temp.dir, 'large');
  mkdirSync(large);
  writeLargePng(join(large, 'photo-00.png'), 1600, 1200, 3);
  for (let i = 1; i < LARGE_FILES; i++)
    copyFileSync(join(large, 'photo-00.png'), join(large, `photo-${String(i).padStart(2, '0')}.png`));
  largeOutput = Buffer.from(grayscaleFileSync(join(large, 'photo-00.png'), { encode: true }).data);
});
afterAll(() => temp.cleanup());

describe('offloop (no terminal)', () => {
  it('--version, --help, info', () => {
    const version = cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('offloop gray <files or dirs...> -o <dir>');
    const info = cli(['info', '--json']);
    expect(info.status).toBe(0);
    const report = JSON.parse(info.stdout);
    expect(report.codecs.jpeg.library).toBe('libjpeg-turbo');
    expect(report.threads).toBeGreaterThanOrEqual(1);
    expect(cli(['info']).stdout).toMatch(/^simd: +\w+$/m);
  });

  it.each([
    [[], 'offloop: no command given', 'usage: offloop <command>'],
    [
      ['frobnicate'],
      "offloop: unknown command 'frobnicate' (commands: gray, info, worker, queue)",
      'usage: offloop <command>',
    ],
    [
      ['grey', small, '-o', 'out'],
      "offloop: unknown command 'grey' (did you mean 'gray'?)",
      'usage: offloop <command>',
    ],
    [['gray', small], 'offloop gray: -o <dir> (--out-dir) is required', 'usage: offloop gray'],
    [['gray', '-o', 'out'], 'at least one file', 'usage: offloop gray'],
    [['gray', small, '-o', 'out', '--bogus'], "offloop gray: unknown option '--bogus'\n", 'usage: offloop gray'],
    [
      ['gray', small, '-o', 'out', '--fromat', 'png'],
      "offloop gray: unknown option '--fromat' (did you mean --format?)",
      'usage: offloop gray',
    ],
    [
      ['gray', small, '-o', 'out', '--recurse'],
      "unknown option '--recurse' (did you mean --recursive?)",
      'usage: offloop gray',
    ],
    [
      ['gray', small, '-o', 'out', '--skip'],
      "unknown option '--skip' (did you mean --skip-existing?)",
      'usage: offloop gray',
    ],
    [['gray', small, '-o', 'out', '-x'], "unknown option '-x'\n", 'usage: offloop gray'],
    [['gray', small, '-o'], '-o (--out-dir) needs a value: --out-dir <dir>', 'usage: offloop gray'],
    [
      ['gray', small, '-o', 'out', '--format', '--json'],
      "--format needs a value, not the flag '--json'",
      'usage: offloop gray',
    ],
    [['gray', small, '-o', 'out', '--json=yes'], "--json takes no value; got 'yes'", 'usage: offloop gray'],
    [
      ['gray', small, '-o', 'out', '--quality', '101'],
      '--quality must be an integer from 1 to 100',
      'usage: offloop gray',
    ],
    [['gray', small, '-o', 'out', '--quality', '7.5'], '--quality must be an integer', 'usage: offloop gray'],
    [
      ['gray', small, '-o', 'out', '--format', 'tiff'],
      "--format must be one of same, jpeg, png, webp; got 'tiff'\n",
      'usage: offloop gray',
    ],
    [
      ['gray', small, '-o', 'out', '--format', 'jpg'],
      "--format must be one of same, jpeg, png, webp; got 'jpg' (did you mean 'jpeg'?)",
      'usage: offloop gray',
    ],
    [['gray', small, '-o', 'out', '--mode', 'fast'], '--mode must be one of exact, luma', 'usage: offloop gray'],
    [['gray', small, '-o', 'out', '--threads', '0'], '--threads must be an integer from 1', 'usage: offloop gray'],
    [['gray', small, '-o', 'out', '--json', '--quiet'], 'do not go together', 'usage: offloop gray'],
    [['info', 'extra'], "offloop info: takes no arguments; got 'extra'", 'usage: offloop info [--json]'],
    [
      ['info', '--jsno'],
      "offloop info: unknown option '--jsno' (did you mean --json?)",
      'usage: offloop info [--json]',
    ],
    [
      ['queue', 'stats', '--redis', 'redis://127.0.0.1:1'],
      "unknown queue command 'stats'",
      'usage: offloop queue status',
    ],
    [
      ['worker', '--threds', '2'],
      "offloop worker: unknown option '--threds' (did you mean --threads?)",
      'usage: offloop worker --redis <address> --root <dir>',
    ],
  ])(
    "usage error %j: exit 2, offloop's reason, the command's own short usage, nothing written",
    (args, reason, usage) => {
      const run = cli(args as string[]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(reason);
      expect(run.stderr.split('\n')[1]).toMatch(new RegExp(`^${usage.replace(/[[\]]/g, '\\$&')}`));
      // Offloop's words, not Node's parseArgs' text; no line wider than a terminal.
      expect(run.stderr).not.toMatch(/ERR_PARSE_ARGS|positional argument|To specify/);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines.slice(1)) expect(line.length, line).toBeLessThanOrEqual(80);
      expect(run.stdout).toBe('');
      expect(existsSync(join(temp.dir, 'out'))).toBe(false);
    },
  );

  it.each([
    [
      'gray',
      ['gray', '--help'],
      [
        'usage: offloop gray <files or dirs...> -o <dir> [options]',
        '  -o, --out-dir <dir>',
        '--format same|jpeg|png',
        '--quality <1-100>',
        '--redis <address>',
      ],
    ],
    [
      'gray (-h after other words)',
      ['gray', 'photos', '-o', 'x', '-h'],
      ['usage: offloop gray <files or dirs...>', '--skip-existing'],
    ],
    ['info', ['info', '--help'], ['usage: offloop info [--json]', '--json']],
    [
      'worker',
      ['worker', '--help'],
      [
        'usage: offloop worker --redis <address> --root <dir> [options]',
        '--root <dir>',
        '--threads <n>',
        '--concurrency <n>',
      ],
    ],
    ['queue', ['queue', '--help'], ['usage: offloop queue status --redis <address>', '--queue <name>']],
    ['help gray', ['help', 'gray'], ['usage: offloop gray <files or dirs...>']],
  ])('offloop %s --help: its own usage and flags on stdout, exit 0, nothing written', (_name, args, expected) => {
    const run = cli(args);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    for (const text of expected) expect(run.stdout).toContain(text);
    for (const line of run.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    // One command's help, not every command's.
    const others = ['gray', 'info', 'worker', 'queue'].filter((name) => !args.includes(name));
    for (const other of others) expect(run.stdout).not.toContain(`usage: offloop ${other}`);
    expect(existsSync(join(temp.dir, 'x'))).toBe(false);
  });

  it('offloop --help lists every command with its usage, in 80 columns', () => {
    const run = cli(['--help']);
    expect(run.status).toBe(0);
    for (const usage of [
      'offloop gray <files or dirs...> -o <dir> [options]',
      'offloop info [--json]',
      'offloop worker --redis <address> --root <dir>',
      'offloop queue status --redis <address>',
    ]) {
      expect(run.stdout).toContain(usage);
    }
    expect(run.stdout).toContain("'offloop <command> --help'");
    for (const line of run.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('a --help after -- is an argument, not a request for help', () => {
    const run = cli(['gray', '-o', join(temp.dir, 'dash-out'), '--', '--help']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('failed: --help: ENOENT');
  });

  it('one line per file: processed on stdout, failures with their reason on stderr, the summary on stdout; exit 1 when some failed', () => {
    const out = join(temp.dir, 'lines-out');
    const run = cli(['gray', small, fixture(BROKEN), join(temp.dir, 'missing.jpg'), '-o', out, '--recursive']);
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split('\n');
    const processed = lines
      .filter((line) => line.startsWith('processed: '))
      .map((line) => line.slice('processed: '.length))
      .sort();
    expect(processed).toEqual(
      [...SMALL.map((rel) => join(out, rel.split('/')[1]!)), join(out, 'sub', 'deep.jpg')].sort(),
    );
    expect(lines).toHaveLength(processed.length + 1);
    expect(lines.at(-1)).toMatch(/^7 files in [\d.]+ s: 5 processed, 2 failed; [\d.]+ MP at [\d.]+ MP\/s$/);
    // Failures on stderr (`> log` keeps them on the screen), as ImageMagick and rsync do.
    const errors = run.stderr.trim().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors).toContain(`failed: ${fixture(BROKEN)}: PNG chunk gAMA has a bad CRC`);
    expect(errors.find((line) => line.startsWith(`failed: ${join(temp.dir, 'missing.jpg')}: ENOENT`))).toBeDefined();
    // The outputs are what the library writes.
    for (const rel of SMALL) {
      const name = rel.split('/')[1]!;
      expect(readFileSync(join(out, name))).toEqual(
        Buffer.from(grayscaleFileSync(fixture(rel), { encode: true }).data),
      );
    }
    expect(listAll(out)).not.toContain('notes.txt');
  });

  it('exit 0 when every file is done; --quiet prints only the summary; --format changes names', () => {
    const out = join(temp.dir, 'quiet-out');
    const run = cli(['gray', small, '-o', out, '--quiet', '--format', 'png']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toBe('');
    expect(listAll(out)).toEqual([
      'gray-base-61x37.png',
      'gray1-61x37.png',
      'rgba8-61x37.png',
      'ycc-444-base-61x37.png',
    ]);
  });

  it("a folder of every format read (each decode fixture: JPEG, PNG, WebP, TIFF, GIF, BMP) turns gray with no failure, each output Pillow's pixels (issue 19)", () => {
    const folder = join(temp.dir, 'every-format');
    const out = join(temp.dir, 'every-format-out');
    mkdirSync(folder);
    const cases = manifest.decode.map((testCase) => ({
      testCase,
      // One folder, so the format's directory becomes part of the name (a.png and a.gif would share a.png).
      name: testCase.file.replace('/', '-'),
    }));
    for (const { testCase, name } of cases) copyFileSync(fixture(testCase.file), join(folder, name));
    expect(new Set(cases.map(({ testCase }) => testCase.format))).toEqual(
      new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'bmp']),
    );
    const run = cli(['gray', folder, '-o', out, '--format', 'png', '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(listAll(out)).toHaveLength(cases.length);
    for (const { testCase, name } of cases) {
      const written = grayscaleFileSync(join(out, name.replace(/\.[^.]+$/, '.png')));
      expect([written.width, written.height], name).toEqual([testCase.width, testCase.height]);
      const difference = firstDifference(written.data, readFixture(testCase.exact));
      expect(difference, name).toBeUndefined();
    }
  });

  it("--format webp writes Pillow's WebP (quality 80; --quality, --lossless), named .webp; a WebP input keeps WebP", () => {
    const out = join(temp.dir, 'webp-out');
    const source = fixture('webp/encode-source-97x61.png');
    expect(cli(['gray', source, '-o', out, '--format', 'webp', '--quiet']).status).toBe(0);
    expect(
      readFileSync(join(out, 'encode-source-97x61.webp')).equals(readFileSync(fixture('webp/encode-default.webp'))),
    ).toBe(true);
    const lossless = join(temp.dir, 'webp-lossless-out');
    expect(cli(['gray', source, '-o', lossless, '--format', 'webp', '--lossless', '--quiet']).status).toBe(0);
    expect(
      readFileSync(join(lossless, 'encode-source-97x61.webp')).equals(
        readFileSync(fixture('webp/encode-lossless.webp')),
      ),
    ).toBe(true);
    const same = join(temp.dir, 'webp-same-out');
    expect(cli(['gray', fixture('webp/lossy-rgb-61x37.webp'), '-o', same, '--quiet']).status).toBe(0);
    expect(grayscaleFileSync(join(same, 'lossy-rgb-61x37.webp')).inputFormat).toBe('webp');
  });

  it('--json: one object per file, then a summary; --skip-existing reports skips', () => {
    const out = join(temp.dir, 'json-out');
    const first = cli(['gray', small, fixture(BROKEN), '-o', out, '--json', '--ordered']);
    expect(first.status).toBe(1);
    const records = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const summary = records.pop();
    // In the arguments' order: the folder's files (in listing order), then the broken file.
    expect(
      records
        .map((r) => r.input)
        .slice(0, -1)
        .sort(),
    ).toEqual(SMALL.map((rel) => join(small, rel.split('/')[1]!)).sort());
    expect(records.at(-1).input).toBe(fixture(BROKEN));
    expect(records.filter((r) => r.status === 'processed')).toHaveLength(SMALL.length);
    for (const record of records.filter((r) => r.status === 'processed')) {
      expect(record).toMatchObject({ type: 'file', width: 61, height: 37 });
      expect(record.bytesOut).toBe(readFileSync(record.output).length);
    }
    expect(records.find((r) => r.status === 'failed')).toMatchObject({
      input: fixture(BROKEN),
      error: { code: 'ERR_OFFLOOP_CORRUPT_IMAGE' },
    });
    expect(summary).toMatchObject({
      type: 'summary',
      files: SMALL.length + 1,
      processed: SMALL.length,
      failed: 1,
      interrupted: null,
    });
    const again = cli(['gray', small, '-o', out, '--json', '--skip-existing']);
    expect(again.status).toBe(0);
    const skipped = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(skipped.pop()).toMatchObject({ files: SMALL.length, skipped: SMALL.length, processed: 0 });
    expect(skipped.every((r) => r.status === 'skipped')).toBe(true);
  });

  it("on Windows a path's backslashes are its separators, written as they are; controls are still escaped", () => {
    expect(escapeText('C:\\photos\\new\\a.png', 'win32')).toBe('C:\\photos\\new\\a.png');
    expect(escapeText('C:\\x\n\u2028\u0085\u202e.png', 'win32')).toBe('C:\\x\\n\\u2028\\x85\\u202e.png');
    // Elsewhere a backslash is a name's own character: escaped, so no escape can be faked.
    expect(escapeText('/tmp/a\\nb', 'linux')).toBe('/tmp/a\\\\nb');
    expect(escapeText('/tmp/a\\nb', 'darwin')).toBe('/tmp/a\\\\nb');
  });

  it('names with control characters are escaped: one line per file, no forged processed: line (issue 15)', () => {
    const tree = join(temp.dir, 'names');
    mkdirSync(tree);
    const forged = 'a\nprocessed: fake.jpg';
    const coloured = 'b\u001b[31m\\red\u2028.jpg';
    copyFileSync(fixture(SMALL[0]!), join(tree, forged));
    copyFileSync(fixture(SMALL[0]!), join(tree, coloured));
    const bad = join(temp.dir, 'c\nfailed: other.jpg');
    writeFileSync(bad, 'not an image');
    const out = join(temp.dir, 'names-out');
    const run = cli(['gray', tree, bad, '-o', out]);
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`processed: ${out}/a\\nprocessed: fake.jpg`);
    expect(lines).toContain(`processed: ${out}/b\\x1b[31m\\\\red\\u2028.jpg`);
    expect(lines.at(-1)).toMatch(/^3 files in /);
    expect(run.stderr).toBe(
      `failed: ${temp.dir}/c\\nfailed: other.jpg: unsupported format: unknown (offloop reads JPEG, PNG, WebP, TIFF, GIF and BMP)\n`,
    );
    expect(run.stdout + run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028]/);
    // The files themselves keep their names.
    expect(listAll(out).sort()).toEqual([forged, coloured].sort());
    // JSON needs no escaping of its own: the names come back exact.
    const json = cli(['gray', tree, '-o', join(temp.dir, 'names-json'), '--json']);
    const records = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      records
        .filter((r) => r.type === 'file')
        .map((r) => r.input)
        .sort(),
    ).toEqual([join(tree, forged), join(tree, coloured)].sort());
  });

  it('one file: "1 file" in the summary; failures say the path once, the code in --json; one wording for an unsupported format', () => {
    const tree = join(temp.dir, 'wording');
    mkdirSync(tree);
    writeFileSync(join(tree, 'w.jpg'), Buffer.from('\xff\x0a\xfa\x7f-a JPEG XL codestream', 'latin1'));
    writeFileSync(join(tree, 'u.jpg'), 'hello world, no image here');
    const one = cli(['gray', fixture(SMALL[0]!), '-o', join(temp.dir, 'one-out')]);
    expect(one.status).toBe(0);
    expect(one.stdout.trim().split('\n').at(-1)).toMatch(/^1 file in [\d.]+ s: 1 processed, 0 failed;/);
    const missing = join(temp.dir, 'nowhere.jpg');
    const lines = cli([
      'gray',
      join(tree, 'w.jpg'),
      join(tree, 'u.jpg'),
      missing,
      '-o',
      join(temp.dir, 'wording-out'),
      '--ordered',
    ]);
    expect(lines.stderr.trim().split('\n')).toEqual([
      `failed: ${join(tree, 'w.jpg')}: unsupported format: jxl (offloop reads JPEG, PNG, WebP, TIFF, GIF and BMP)`,
      `failed: ${join(tree, 'u.jpg')}: unsupported format: unknown (offloop reads JPEG, PNG, WebP, TIFF, GIF and BMP)`,
      `failed: ${missing}: ENOENT: no such file or directory, stat`,
    ]);
    const json = cli([
      'gray',
      join(tree, 'w.jpg'),
      missing,
      '-o',
      join(temp.dir, 'wording-out'),
      '--ordered',
      '--json',
    ]);
    const [webp, enoent] = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(webp.error).toEqual({
      code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
      message: 'unsupported format: jxl (offloop reads JPEG, PNG, WebP, TIFF, GIF and BMP)',
    });
    expect(enoent.error).toEqual({ code: 'ENOENT', message: 'ENOENT: no such file or directory, stat' });
  });

  it('never lists its own outputs when they are written inside the input folder', () => {
    const tree = join(temp.dir, 'self');
    mkdirSync(tree);
    copyFileSync(fixture(SMALL[0]!), join(tree, 'a.jpg'));
    const run = cli(['gray', tree, '-o', join(tree, 'gray'), '--recursive']);
    expect(run.status).toBe(0);
    expect(listAll(tree)).toEqual(['a.jpg', join('gray', 'a.jpg')]);
  });
});

describe('offloop when the library cannot run', () => {
  it('no native binary: what a source build needs and the command, as a message (no stack), exit 1; --help still works', () => {
    const empty = join(temp.dir, 'no-prebuilds');
    mkdirSync(empty, { recursive: true });
    const env = { ...process.env, OFFLOOP_PREBUILD: empty, PREBUILDS_ONLY: '' };
    const run = spawnSync(process.execPath, [CLI, 'info'], { encoding: 'utf8', env, cwd: temp.dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^offloop: no native binary fits \S+ .*\(ERR_OFFLOOP_NO_BINARY\)\n/);
    for (const needed of [
      'npm rebuild offloop --build-from-source',
      'python3',
      'make',
      'C++17',
      'pkg-config',
      'libjpeg-dev libpng-dev zlib1g-dev',
      'libjpeg-turbo-devel libpng-devel zlib-devel',
      'libjpeg-turbo-dev libpng-dev zlib-dev',
    ]) {
      expect(run.stderr).toContain(needed);
    }
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const help = spawnSync(process.execPath, [CLI, 'gray', '--help'], { encoding: 'utf8', env, cwd: temp.dir });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: offloop gray');
  });

  it("BullMQ not installed: offloop/queue's error as a message naming the package, no stack, exit 1", () => {
    const hide = join(temp.dir, 'hide-bullmq.cjs');
    writeFileSync(
      hide,
      "const M = require('module'); const r = M._resolveFilename; M._resolveFilename = function (id, ...a) { if (id === 'bullmq') { const e = new Error(\"Cannot find module 'bullmq'\"); e.code = 'MODULE_NOT_FOUND'; throw e; } return r.call(this, id, ...a); };",
    );
    for (const args of [
      ['queue', 'status', '--redis', 'redis://127.0.0.1:1'],
      ['gray', small, '-o', join(temp.dir, 'peer-out'), '--redis', 'redis://127.0.0.1:1'],
    ]) {
      const run = spawnSync(process.execPath, ['-r', hide, CLI, ...args], {
        encoding: 'utf8',
        cwd: temp.dir,
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'offloop: offloop/queue needs BullMQ (with its Redis client, ioredis), an optional peer dependency of offloop: npm install bullmq (ERR_OFFLOOP_MISSING_PEER)\n',
      );
    }
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript)
  console.warn('cli.test.ts: the terminal test is skipped: no `script` here (Debian: apt-get install bsdutils)');

describe.skipIf(!hasScript)('offloop on a terminal', () => {
  it('draws one progress bar, ends it cleanly (cursor shown again), then the summary and the failures', () => {
    const out = join(temp.dir, 'tty-out');
    const command = [process.execPath, CLI, 'gray', small, fixture(BROKEN), '-o', out]
      .map((part) => `'${part}'`)
      .join(' ');
    const run = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      timeout: 120_000,
      cwd: temp.dir,
    });
    expect(run.status).toBe(1);
    const screen = run.stdout;
    expect(screen).toContain('\u001b[?25l'); // cursor hidden while the bar runs ...
    expect(screen).toContain('\u001b[?25h'); // ... and shown again
    expect(screen).toMatch(/5\/5 files \| 1 failed \| [\d.]+ MP\/s \| ETA \S+/);
    expect(screen).not.toContain('processed: ');
    const afterBar = screen.slice(screen.lastIndexOf('\u001b[?25h'));
    expect(afterBar).toMatch(/5 files in [\d.]+ s: 4 processed, 1 failed/);
    expect(afterBar).toContain(`failed: ${fixture(BROKEN)}: PNG chunk gAMA has a bad CRC`);
  });
});

describe.skipIf(!hasScript)('offloop on a 60-column terminal', () => {
  it('every frame of the bar fits in 59 columns, counts and failures included (the terminal cut it before)', () => {
    const out = join(temp.dir, 'tty60-out');
    const command = `stty cols 60; ${[process.execPath, CLI, 'gray', small, fixture(BROKEN), '-o', out].map((part) => `'${part}'`).join(' ')}`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      timeout: 120_000,
      cwd: temp.dir,
    });
    expect(run.status).toBe(1);
    // cli-progress draws each frame from column 1 (ESC [1G) and clears the rest of the line (ESC [0K).
    const frames = [...run.stdout.matchAll(/\u001b\[1G(.*?)\u001b\[0K/g)].map((match) => match[1]!);
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(frame.length, frame).toBeLessThanOrEqual(59);
      expect(frame).toMatch(/\d+\/[\d?]+ files \| \d+ failed \| [\d.]+ MP\/s \| ETA \S+$/);
    }
    expect(frames.at(-1)).toMatch(/^[\u2588\u2591]{10,} 5\/5 files \| 1 failed/);
  });
});

describe('the bar line', () => {
  it.each([200, 80, 60, 45, 30, 12])('fits %d columns', (columns) => {
    const counts = '12345/12345 files | 12 failed';
    const line = barLine(columns, 0.5, counts, '123.4 MP/s | ETA 1234s');
    expect(line.length).toBeLessThanOrEqual(columns - 1);
    if (columns >= 80) expect(line).toMatch(/^[\u2588\u2591]{10,30} /);
    if (columns >= 60) expect(line.endsWith('ETA 1234s')).toBe(true);
    if (columns >= 31) expect(line).toContain(counts);
  });
});

/** Starts the CLI on the large folder, one file at a time, and resolves once `lines` lines are out. */
function startLarge(
  out: string,
  extra: string[] = [],
): {
  child: ChildProcess;
  firstLines: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    [CLI, 'gray', large, '-o', out, '--threads', '1', '--concurrency', '1', ...extra],
    { cwd: temp.dir },
  );
  let stdout = '';
  let resolveFirst: () => void;
  const firstLines = new Promise<void>((resolve) => (resolveFirst = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    if (stdout.split('\n').length > 2) resolveFirst();
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, firstLines, done };
}

function expectCompleteOrAbsent(out: string): string[] {
  const files = listAll(out);
  expect(files.filter((name) => name.includes('offloop-tmp'))).toEqual([]);
  for (const name of files) expect(readFileSync(join(out, name)).equals(largeOutput), name).toBe(true);
  return files;
}

describe('offloop stopped by a signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s mid-batch: stops at once, no partial output, the summary of what completed, exit %d',
    async (signal, code) => {
      const out = join(temp.dir, `signal-${signal}`);
      const { child, firstLines, done } = startLarge(out);
      await firstLines;
      child.kill(signal);
      const result = await done;
      expect(result.code).toBe(code);
      const summary = result.stdout.trim().split('\n').at(-1)!;
      const processed = result.stdout.split('\n').filter((line) => line.startsWith('processed: ')).length;
      expect(summary).toMatch(new RegExp(`^interrupted by ${signal} after ${processed} files? in`));
      // What to do next, on stderr: the summary stays the last line of stdout.
      expect(result.stderr).toBe(
        'offloop: the same command with --skip-existing does the rest (outputs are complete or absent)\n',
      );
      const files = expectCompleteOrAbsent(out);
      expect(files.length).toBe(processed);
      expect(files.length).toBeLessThan(LARGE_FILES);
    },
  );

  it('--skip-existing after an interrupted run finishes the rest', async () => {
    const out = join(temp.dir, 'resume');
    const { child, firstLines, done } = startLarge(out);
    await firstLines;
    child.kill('SIGINT');
    expect((await done).code).toBe(130);
    const before = expectCompleteOrAbsent(out).length;
    const run = cli(['gray', large, '-o', out, '--skip-existing']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^${LARGE_FILES} files in [\\d.]+ s: ${LARGE_FILES - before} processed, ${before} skipped, 0 failed`),
    );
    expect(expectCompleteOrAbsent(out)).toHaveLength(LARGE_FILES);
  });

  it('a reader that leaves (| head -n 1): the batch stops cleanly, exit 141, no partial output', () => {
    const out = join(temp.dir, 'pipe');
    const command = `set -o pipefail; '${process.execPath}' '${CLI}' gray '${large}' -o '${out}' --threads 1 --concurrency 1 | head -n 1; echo "status=\${PIPESTATUS[0]}"`;
    const run = spawnSync('bash', ['-c', command], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout).toMatch(/^processed: .*\nstatus=141\n$/);
    expect(run.stderr).toBe('');
    expect(expectCompleteOrAbsent(out).length).toBeLessThan(LARGE_FILES);
  });
});
