// `offloop gray` never loses a user's file, spawned for real: the issue's
// repros (an output folder that holds the input, two inputs with one output
// name, --format folding names together, `-o .`, a symbolic link to the
// input folder with the output folder inside it), --in-place, a folder
// without images, and --skip-existing with outputs cut short.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFileSync } from '../../lib/index.js';
import { fixture, listAll, tempFolder } from '../files/helpers.js';
import { ROOT } from '../helpers.js';

const CLI = join(ROOT, 'dist/cjs/cli/main.js');
const COLOUR_JPEG = 'jpeg/ycc-444-base-61x37.jpg';
const GRAY_JPEG = 'jpeg/gray-base-61x37.jpg';
const COLOUR_PNG = 'png/rgba8-61x37.png';

let temp: ReturnType<typeof tempFolder>;
let case_ = 0;

beforeAll(() => {
  temp = tempFolder('offloop-cli-identity-');
});
afterAll(() => temp.cleanup());

/** A fresh folder holding fixtures at the given paths: { 'photos/a.jpg': COLOUR_JPEG }. */
function fresh(files: Record<string, string>): string {
  const dir = join(temp.dir, `case-${case_++}`);
  mkdirSync(dir, { recursive: true });
  for (const [path, rel] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    copyFileSync(fixture(rel), join(dir, path));
  }
  return dir;
}

function cli(cwd: string, args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `--json` records of a run: its file records and its summary. */
function records(stdout: string) {
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  return { files: lines.filter((r) => r.type === 'file'), summary: lines.find((r) => r.type === 'summary') };
}

function grayOf(rel: string, format?: 'jpeg' | 'png'): Buffer {
  return Buffer.from(grayscaleFileSync(fixture(rel), { encode: true, ...(format ? { format } : {}) }).data);
}

describe('offloop gray keeps inputs and outputs apart', () => {
  it('offloop gray photos/a.jpg -o photos: refused, the original untouched, exit 1', () => {
    const dir = fresh({ 'photos/a.jpg': COLOUR_JPEG });
    const run = cli(dir, ['gray', 'photos/a.jpg', '-o', 'photos']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^failed: photos\/a\.jpg: the output 'photos\/a\.jpg' is this input itself.*--in-place/m,
    );
    expect(run.stdout).not.toContain('processed:');
    expect(readFileSync(join(dir, 'photos/a.jpg'))).toEqual(readFileSync(fixture(COLOUR_JPEG)));
    const json = records(cli(dir, ['gray', 'photos', '-o', 'photos', '--json']).stdout);
    expect(json.files.map((r) => [r.status, r.error?.code])).toEqual([['failed', 'ERR_OFFLOOP_OUTPUT_IS_INPUT']]);
  });

  it('offloop gray a/x.jpg b/x.jpg -o out: the second collides, naming the first; exit 1', () => {
    const dir = fresh({ 'a/x.jpg': COLOUR_JPEG, 'b/x.jpg': GRAY_JPEG });
    const run = cli(dir, ['gray', 'a/x.jpg', 'b/x.jpg', '-o', 'out', '--json']);
    expect(run.status).toBe(1);
    const { files, summary } = records(run.stdout);
    const byInput = Object.fromEntries(files.map((r) => [r.input, [r.status, r.error?.code]]));
    expect(byInput).toEqual({
      'a/x.jpg': ['processed', undefined],
      'b/x.jpg': ['failed', 'ERR_OFFLOOP_OUTPUT_COLLISION'],
    });
    expect(files.find((r) => r.input === 'b/x.jpg').error.message).toContain("'a/x.jpg'");
    expect(summary).toMatchObject({ processed: 1, failed: 1 });
    expect(readFileSync(join(dir, 'out/x.jpg'))).toEqual(grayOf(COLOUR_JPEG));
  });

  it('in/a.jpg in/a.png in/a.JPEG --format png: one output, two collisions; into in/ itself nothing is written', () => {
    const dir = fresh({ 'in/a.jpg': COLOUR_JPEG, 'in/a.png': COLOUR_PNG, 'in/a.JPEG': GRAY_JPEG });
    const run = cli(dir, ['gray', 'in/a.jpg', 'in/a.png', 'in/a.JPEG', '--format', 'png', '-o', 'out', '--json']);
    expect(run.status).toBe(1);
    const { files } = records(run.stdout);
    expect(files.map((r) => [r.input, r.error?.code ?? r.status]).sort()).toEqual([
      ['in/a.JPEG', 'ERR_OFFLOOP_OUTPUT_COLLISION'],
      ['in/a.jpg', 'processed'],
      ['in/a.png', 'ERR_OFFLOOP_OUTPUT_COLLISION'],
    ]);
    expect(listAll(join(dir, 'out'))).toEqual(['a.png']);
    expect(readFileSync(join(dir, 'out/a.png'))).toEqual(grayOf(COLOUR_JPEG, 'png'));
    // With -o in, a.jpg's and a.JPEG's output is the input in/a.png, whichever comes first.
    const into = records(
      cli(dir, ['gray', 'in/a.jpg', 'in/a.png', 'in/a.JPEG', '--format', 'png', '-o', 'in', '--json']).stdout,
    );
    expect(into.files.map((r) => r.error?.code)).toEqual(Array(3).fill('ERR_OFFLOOP_OUTPUT_IS_INPUT'));
    expect(readFileSync(join(dir, 'in/a.png'))).toEqual(readFileSync(fixture(COLOUR_PNG)));
  });

  it('offloop gray photos -o . grays every photo into the parent folder', () => {
    const dir = fresh({ 'photos/a.jpg': COLOUR_JPEG, 'photos/b.png': COLOUR_PNG });
    const run = cli(dir, ['gray', 'photos', '-o', '.']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^2 files in [\d.]+ s: 2 processed, 0 failed/m);
    expect(listAll(dir)).toEqual(['a.jpg', 'b.png', 'photos/a.jpg', 'photos/b.png']);
    expect(readFileSync(join(dir, 'a.jpg'))).toEqual(grayOf(COLOUR_JPEG));
  });

  it('ln -s photos plink; offloop gray plink -o photos/gray -r, three times: no nesting', () => {
    const dir = fresh({ 'photos/a.jpg': COLOUR_JPEG, 'photos/sub/b.png': COLOUR_PNG });
    symlinkSync('photos', join(dir, 'plink'));
    for (let run = 0; run < 3; run++) {
      const result = cli(dir, ['gray', 'plink', '-o', 'photos/gray', '-r']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^2 files in [\d.]+ s: 2 processed, 0 failed/m);
    }
    expect(listAll(join(dir, 'photos'))).toEqual(['a.jpg', 'gray/a.jpg', 'gray/sub/b.png', 'sub/b.png']);
  });

  it('a directory without images says so on stderr', () => {
    const dir = fresh({ 'photos/sub/a.jpg': COLOUR_JPEG });
    writeFileSync(join(dir, 'photos/notes.txt'), 'no image');
    const run = cli(dir, ['gray', 'photos', '-o', 'out']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('photos: no JPEG or PNG file (-r includes subfolders)');
    expect(cli(dir, ['gray', 'photos', '-o', 'out', '-r']).stderr).not.toContain('no JPEG or PNG');
  });
});

describe('offloop gray --in-place', () => {
  it('writes each input over itself, only when asked; not with -o or --redis', () => {
    const dir = fresh({ 'photos/a.jpg': COLOUR_JPEG, 'photos/b.png': COLOUR_PNG });
    const run = cli(dir, ['gray', 'photos', '--in-place']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('processed: photos/a.jpg');
    expect(listAll(join(dir, 'photos'))).toEqual(['a.jpg', 'b.png']);
    expect(readFileSync(join(dir, 'photos/a.jpg'))).toEqual(grayOf(COLOUR_JPEG));
    expect(readFileSync(join(dir, 'photos/b.png'))).toEqual(grayOf(COLOUR_PNG));
    const both = cli(dir, ['gray', 'photos', '--in-place', '-o', 'out']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--in-place');
    expect(cli(dir, ['gray', 'photos', '--in-place', '--redis', 'redis://127.0.0.1:1']).status).toBe(2);
    expect(cli(dir, ['gray', 'photos']).stderr).toContain('--in-place');
  });

  it('with a format change writes the new name beside the input and keeps the input (as mogrify -format)', () => {
    const dir = fresh({ 'photos/a.png': COLOUR_PNG });
    const run = cli(dir, ['gray', 'photos/a.png', '--in-place', '--format', 'jpeg']);
    expect(run.status).toBe(0);
    expect(listAll(join(dir, 'photos'))).toEqual(['a.jpg', 'a.png']);
    expect(readFileSync(join(dir, 'photos/a.png'))).toEqual(readFileSync(fixture(COLOUR_PNG)));
    expect(readFileSync(join(dir, 'photos/a.jpg'))).toEqual(grayOf(COLOUR_PNG, 'jpeg'));
  });
});

describe('offloop gray --skip-existing', () => {
  it('skips whole outputs only, redoes empty and cut ones, and counts the skips', () => {
    const dir = fresh({
      'in/a.jpg': COLOUR_JPEG,
      'in/b.jpg': COLOUR_JPEG,
      'in/c.png': COLOUR_PNG,
      'in/d.png': COLOUR_PNG,
    });
    const jpeg = grayOf(COLOUR_JPEG);
    const png = grayOf(COLOUR_PNG);
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out/a.jpg'), jpeg);
    writeFileSync(join(dir, 'out/b.jpg'), '');
    writeFileSync(join(dir, 'out/c.png'), png.subarray(0, png.length - 20));
    writeFileSync(join(dir, 'out/d.png'), png);
    const run = cli(dir, ['gray', 'in', '-o', 'out', '--skip-existing']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^4 files in [\d.]+ s: 2 processed, 2 skipped, 0 failed/m);
    expect(
      run.stdout
        .split('\n')
        .filter((line) => line.startsWith('skipped: '))
        .sort(),
    ).toEqual(['skipped: out/a.jpg (exists)', 'skipped: out/d.png (exists)']);
    expect(readFileSync(join(dir, 'out/b.jpg'))).toEqual(jpeg);
    expect(readFileSync(join(dir, 'out/c.png'))).toEqual(png);
  });
});
