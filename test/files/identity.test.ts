// grayscaleFiles never loses a user's file: an output that is an input
// (its own, or another of the batch; by real path and by inode) is refused,
// two inputs never write one output (the first stands), the output folder
// inside a listed tree is never listed (through symbolic links too), and
// skipExisting skips only a whole output.
import { copyFileSync, linkSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { binding } from '../../lib/binding.js';
import { grayscaleFile, grayscaleFileSync, grayscaleFiles, type GrayscaleFilesResult } from '../../lib/index.js';
import { collect, fixture, listAll, tempFolder, writeLargePng } from './helpers.js';

const COLOUR_JPEG = 'jpeg/ycc-444-base-61x37.jpg';
const GRAY_JPEG = 'jpeg/gray-base-61x37.jpg';
const COLOUR_PNG = 'png/rgba8-61x37.png';

let temp: ReturnType<typeof tempFolder>;
let case_ = 0;

beforeAll(() => {
  temp = tempFolder('offloop-identity-');
});
afterAll(() => temp.cleanup());

/** A fresh folder for one test. */
function fresh(): string {
  const dir = join(temp.dir, `case-${case_++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Puts fixtures at paths under `dir`: { 'photos/a.jpg': COLOUR_JPEG, ... }. */
function place(dir: string, files: Record<string, string>): void {
  for (const [path, rel] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    copyFileSync(fixture(rel), join(dir, path));
  }
}

function outputOf(result: GrayscaleFilesResult): string | undefined {
  return result.error === undefined ? result.output : undefined;
}

function codeOf(result: GrayscaleFilesResult): string | undefined {
  return (result.error as { code?: string } | undefined)?.code;
}

/** The gray image offloop writes for a fixture, as bytes. */
function grayOf(rel: string, format?: 'jpeg' | 'png'): Buffer {
  return Buffer.from(grayscaleFileSync(fixture(rel), { encode: true, ...(format ? { format } : {}) }).data);
}

describe('an output that is an input is refused (ERR_OFFLOOP_OUTPUT_IS_INPUT)', () => {
  it("grayscaleFiles('photos', { outDir: 'photos' }): every file refused, every input untouched", async () => {
    const dir = fresh();
    place(dir, { 'photos/a.jpg': COLOUR_JPEG, 'photos/b.png': COLOUR_PNG });
    const photos = join(dir, 'photos');
    const results = await collect(grayscaleFiles(photos, { outDir: photos }));
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(codeOf(result)).toBe('ERR_OFFLOOP_OUTPUT_IS_INPUT');
      expect((result.error as { output?: string }).output).toBe(result.input);
      expect(result.error!.message).toContain('inPlace');
    }
    expect(readFileSync(join(photos, 'a.jpg'))).toEqual(readFileSync(fixture(COLOUR_JPEG)));
    expect(readFileSync(join(photos, 'b.png'))).toEqual(readFileSync(fixture(COLOUR_PNG)));
    expect(listAll(photos)).toEqual(['a.jpg', 'b.png']);
  });

  it('a pair naming its input, a symbolic link to it or a hard link of it as output; the batch goes on', async () => {
    const dir = fresh();
    place(dir, { 'a.jpg': COLOUR_JPEG, 'ok.jpg': GRAY_JPEG });
    const input = join(dir, 'a.jpg');
    symlinkSync(input, join(dir, 'link.jpg'));
    linkSync(input, join(dir, 'hard.jpg'));
    const results = await collect(
      grayscaleFiles(
        [
          { input, output: input },
          { input, output: join(dir, '.', 'a.jpg') },
          { input, output: join(dir, 'link.jpg') },
          { input, output: join(dir, 'hard.jpg') },
          { input: join(dir, 'ok.jpg'), output: join(dir, 'out.jpg') },
        ],
        { ordered: true },
      ),
    );
    expect(results.map(codeOf)).toEqual([
      'ERR_OFFLOOP_OUTPUT_IS_INPUT',
      'ERR_OFFLOOP_OUTPUT_IS_INPUT',
      'ERR_OFFLOOP_OUTPUT_IS_INPUT',
      'ERR_OFFLOOP_OUTPUT_IS_INPUT',
      undefined,
    ]);
    expect(readFileSync(input)).toEqual(readFileSync(fixture(COLOUR_JPEG)));
    expect(readFileSync(join(dir, 'out.jpg'))).toEqual(grayOf(GRAY_JPEG));
  });

  it('an output that is another input of the batch, listed before or after it, is not written over', async () => {
    const dir = fresh();
    place(dir, { 'in/a.jpg': COLOUR_JPEG, 'in/a.png': COLOUR_PNG });
    const folder = join(dir, 'in');
    // a.jpg -> in/a.png, an input of the listing whatever its turn.
    const results = await collect(grayscaleFiles(folder, { outDir: folder, format: 'png' }));
    expect(results.map(codeOf)).toEqual(['ERR_OFFLOOP_OUTPUT_IS_INPUT', 'ERR_OFFLOOP_OUTPUT_IS_INPUT']);
    expect(readFileSync(join(folder, 'a.png'))).toEqual(readFileSync(fixture(COLOUR_PNG)));
    expect(readFileSync(join(folder, 'a.jpg'))).toEqual(readFileSync(fixture(COLOUR_JPEG)));
  });

  it('inPlace: true writes each input over itself; a single grayscaleFile(p, { output: p }) stays allowed', async () => {
    const dir = fresh();
    place(dir, { 'photos/a.jpg': COLOUR_JPEG, 'photos/b.png': COLOUR_PNG, 'one.jpg': COLOUR_JPEG });
    const photos = join(dir, 'photos');
    const results = await collect(grayscaleFiles(photos, { inPlace: true }));
    expect(results.map(codeOf)).toEqual([undefined, undefined]);
    for (const result of results) expect(outputOf(result)).toBe(result.input);
    expect(readFileSync(join(photos, 'a.jpg'))).toEqual(grayOf(COLOUR_JPEG));
    expect(readFileSync(join(photos, 'b.png'))).toEqual(grayOf(COLOUR_PNG));
    expect(listAll(photos)).toEqual(['a.jpg', 'b.png']);
    const one = join(dir, 'one.jpg');
    await expect(grayscaleFile(one, { output: one })).resolves.toMatchObject({ output: one });
    expect(readFileSync(one)).toEqual(grayOf(COLOUR_JPEG));
  });

  it('inPlace with a format change writes the new name beside the input and keeps it (as mogrify -format)', async () => {
    const dir = fresh();
    place(dir, { 'a.png': COLOUR_PNG });
    const results = await collect(grayscaleFiles([join(dir, 'a.png')], { inPlace: true, format: 'jpeg' }));
    expect(results.map((r) => [codeOf(r), outputOf(r)])).toEqual([[undefined, join(dir, 'a.jpg')]]);
    expect(readFileSync(join(dir, 'a.png'))).toEqual(readFileSync(fixture(COLOUR_PNG)));
    expect(readFileSync(join(dir, 'a.jpg'))).toEqual(grayOf(COLOUR_PNG, 'jpeg'));
  });

  it('inPlace with outDir or output is a TypeError before any input is read', async () => {
    await expect(grayscaleFiles([], { inPlace: true, outDir: 'x' }).next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringContaining('options.inPlace'),
    });
    await expect(grayscaleFiles([], { inPlace: true, output: (p) => p }).next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(grayscaleFiles([], { inPlace: 1 as unknown as boolean }).next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });
});

describe('no two inputs write one output (ERR_OFFLOOP_OUTPUT_COLLISION)', () => {
  it('a/x.jpg and b/x.jpg into one folder: the second fails naming the first; the first stands', async () => {
    const dir = fresh();
    place(dir, { 'a/x.jpg': COLOUR_JPEG, 'b/x.jpg': GRAY_JPEG });
    const out = join(dir, 'out');
    const results = await collect(
      grayscaleFiles([join(dir, 'a/x.jpg'), join(dir, 'b/x.jpg')], { outDir: out, ordered: true }),
    );
    expect(results.map(codeOf)).toEqual([undefined, 'ERR_OFFLOOP_OUTPUT_COLLISION']);
    expect(results[1]!.error).toMatchObject({ output: join(out, 'x.jpg'), otherInput: join(dir, 'a/x.jpg') });
    expect(results[1]!.error!.message).toContain(join(dir, 'a/x.jpg'));
    expect(listAll(out)).toEqual(['x.jpg']);
    expect(readFileSync(join(out, 'x.jpg'))).toEqual(grayOf(COLOUR_JPEG));
  });

  it('in/a.jpg, in/a.png, in/a.JPEG with format png: one output, two collisions', async () => {
    const dir = fresh();
    place(dir, { 'in/a.jpg': COLOUR_JPEG, 'in/a.png': COLOUR_PNG, 'in/a.JPEG': GRAY_JPEG });
    const out = join(dir, 'out');
    const inputs = ['a.jpg', 'a.png', 'a.JPEG'].map((name) => join(dir, 'in', name));
    const results = await collect(grayscaleFiles(inputs, { outDir: out, format: 'png', ordered: true }));
    expect(results.map(codeOf)).toEqual([undefined, 'ERR_OFFLOOP_OUTPUT_COLLISION', 'ERR_OFFLOOP_OUTPUT_COLLISION']);
    expect(results.slice(1).map((r) => (r.error as { otherInput?: string }).otherInput)).toEqual([
      inputs[0],
      inputs[0],
    ]);
    expect(listAll(out)).toEqual(['a.png']);
    expect(readFileSync(join(out, 'a.png'))).toEqual(grayOf(COLOUR_JPEG, 'png'));
  });

  it('the first input claims the output even when it finishes last (claims follow input order)', async () => {
    const dir = fresh();
    writeLargePng(join(dir, 'slow.png'), 1600, 1200, 3);
    place(dir, { 'fast.png': COLOUR_PNG });
    const out = join(dir, 'same.png');
    for (let round = 0; round < 3; round++) {
      const results = await collect(
        grayscaleFiles(
          [
            { input: join(dir, 'slow.png'), output: out },
            { input: join(dir, 'fast.png'), output: out },
          ],
          { concurrency: 2 },
        ),
      );
      const byInput = Object.fromEntries(results.map((r) => [String(r.input), codeOf(r)]));
      expect(byInput).toEqual({
        [join(dir, 'slow.png')]: undefined,
        [join(dir, 'fast.png')]: 'ERR_OFFLOOP_OUTPUT_COLLISION',
      });
      expect(grayscaleFileSync(out).width).toBe(1600);
    }
  });

  it('two names of one output folder (a symbolic link) collide too', async () => {
    const dir = fresh();
    place(dir, { 'a/x.jpg': COLOUR_JPEG, 'b/x.jpg': GRAY_JPEG });
    mkdirSync(join(dir, 'out'));
    symlinkSync(join(dir, 'out'), join(dir, 'outlink'));
    const results = await collect(
      grayscaleFiles(
        [
          { input: join(dir, 'a/x.jpg'), output: join(dir, 'out/x.jpg') },
          { input: join(dir, 'b/x.jpg'), output: join(dir, 'outlink/x.jpg') },
        ],
        { ordered: true },
      ),
    );
    expect(results.map(codeOf)).toEqual([undefined, 'ERR_OFFLOOP_OUTPUT_COLLISION']);
  });
});

describe('outputs are never listed as inputs (by identity)', () => {
  it('outDir inside a recursively listed input, run three times: no nesting', async () => {
    const dir = fresh();
    place(dir, { 'photos/a.jpg': COLOUR_JPEG, 'photos/sub/b.png': COLOUR_PNG });
    const photos = join(dir, 'photos');
    for (let run = 0; run < 3; run++) {
      const results = await collect(grayscaleFiles(photos, { outDir: join(photos, 'gray'), recursive: true }));
      expect(results.map((r) => [String(r.input).slice(photos.length + 1), codeOf(r)]).sort()).toEqual([
        ['a.jpg', undefined],
        ['sub/b.png', undefined],
      ]);
    }
    expect(listAll(photos)).toEqual(['a.jpg', 'gray/a.jpg', 'gray/sub/b.png', 'sub/b.png']);
  });

  it.each([
    ['the listing through a symbolic link, the output folder named directly', 'plink', 'photos/gray'],
    ['the listing named directly, the output folder through a symbolic link', 'photos', 'plink/gray'],
  ])('%s: run three times, no nesting', async (_, listed, outDir) => {
    const dir = fresh();
    place(dir, { 'photos/a.jpg': COLOUR_JPEG });
    symlinkSync(join(dir, 'photos'), join(dir, 'plink'));
    for (let run = 0; run < 3; run++) {
      const results = await collect(grayscaleFiles(join(dir, listed), { outDir: join(dir, outDir), recursive: true }));
      expect(results.map(codeOf)).toEqual([undefined]);
    }
    expect(listAll(join(dir, 'photos'))).toEqual(['a.jpg', 'gray/a.jpg']);
  });

  it('outputs named beside their inputs are not listed again in the same batch', async () => {
    const dir = fresh();
    const names = Array.from({ length: 12 }, (_, i) => `p${i}.jpg`);
    place(dir, Object.fromEntries(names.map((name) => [`photos/${name}`, COLOUR_JPEG])));
    const photos = join(dir, 'photos');
    const results = await collect(
      grayscaleFiles(photos, { output: (input) => input.replace(/\.jpg$/, '.g.jpg'), concurrency: 1 }),
    );
    expect(results.map(codeOf).every((code) => code === undefined)).toBe(true);
    expect(results.map((r) => String(r.input).slice(photos.length + 1)).sort()).toEqual([...names].sort());
  });

  it('an output folder that is a parent of the input folder is fine', async () => {
    const dir = fresh();
    place(dir, { 'photos/a.jpg': COLOUR_JPEG, 'photos/b.png': COLOUR_PNG });
    const results = await collect(grayscaleFiles(join(dir, 'photos'), { outDir: dir }));
    expect(results.map(codeOf)).toEqual([undefined, undefined]);
    expect(listAll(dir)).toEqual(['a.jpg', 'b.png', 'photos/a.jpg', 'photos/b.png']);
  });
});

describe('skipExisting skips only a whole output', () => {
  it('an empty, cut short or non-image output is written again; a whole one is skipped', async () => {
    const dir = fresh();
    const files = {
      'in/whole.jpg': COLOUR_JPEG,
      'in/empty.jpg': COLOUR_JPEG,
      'in/cut.jpg': COLOUR_JPEG,
      'in/cut.png': COLOUR_PNG,
      'in/last.png': COLOUR_PNG,
      'in/text.jpg': COLOUR_JPEG,
    };
    place(dir, files);
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'whole.jpg'), grayOf(COLOUR_JPEG));
    writeFileSync(join(out, 'empty.jpg'), '');
    const jpeg = grayOf(COLOUR_JPEG);
    writeFileSync(join(out, 'cut.jpg'), jpeg.subarray(0, jpeg.length - 40));
    const png = grayOf(COLOUR_PNG);
    writeFileSync(join(out, 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
    writeFileSync(join(out, 'last.png'), png.subarray(0, png.length - 1));
    writeFileSync(join(out, 'text.jpg'), 'not an image at all');
    const results = await collect(grayscaleFiles(join(dir, 'in'), { outDir: out, skipExisting: true }));
    const skipped = results.filter((r) => r.skipped).map((r) => String(r.input).slice(dir.length + 1));
    expect(skipped).toEqual(['in/whole.jpg']);
    expect(results.filter((r) => r.error)).toEqual([]);
    for (const name of ['empty.jpg', 'cut.jpg', 'text.jpg']) expect(readFileSync(join(out, name))).toEqual(jpeg);
    for (const name of ['cut.png', 'last.png']) expect(readFileSync(join(out, name))).toEqual(png);
  });

  it('a whole output with a long header (a large EXIF segment from elsewhere) is still skipped', async () => {
    const dir = fresh();
    place(dir, { 'in/a.jpg': COLOUR_JPEG });
    const out = join(dir, 'out');
    mkdirSync(out);
    const jpeg = grayOf(COLOUR_JPEG);
    // Two APP1 segments of 65,000 bytes after SOI: the header runs past 64 KiB.
    const segment = Buffer.alloc(65_002);
    segment[0] = 0xff;
    segment[1] = 0xe1;
    segment.writeUInt16BE(65_000, 2);
    writeFileSync(join(out, 'a.jpg'), Buffer.concat([jpeg.subarray(0, 2), segment, segment, jpeg.subarray(2)]));
    const results = await collect(grayscaleFiles(join(dir, 'in'), { outDir: out, skipExisting: true }));
    expect(results.map((r) => r.skipped)).toEqual([true]);
    truncateSync(join(out, 'a.jpg'), 70_000);
    const again = await collect(grayscaleFiles(join(dir, 'in'), { outDir: out, skipExisting: true }));
    expect(again.map((r) => [r.skipped, codeOf(r)])).toEqual([[undefined, undefined]]);
    expect(readFileSync(join(out, 'a.jpg'))).toEqual(jpeg);
  });

  it('the native check: every cut of a JPEG and a PNG output, and random bytes, are not whole; bad arguments throw', () => {
    for (const file of [grayOf(COLOUR_JPEG), grayOf(COLOUR_PNG)]) {
      const bytes = new Uint8Array(file);
      for (let length = 0; length <= bytes.length; length++) {
        const cut = bytes.subarray(0, length);
        const tail = cut.slice(Math.max(0, length - 12));
        const found = binding.inspectWholeFile(cut, tail, length);
        expect('code' in found, `${length} of ${bytes.length}`).toBe(length < bytes.length);
      }
    }
    let seed = 7;
    for (let round = 0; round < 2000; round++) {
      const length = round % 64;
      const bytes = new Uint8Array(length).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      if (round % 3 === 0 && length >= 3) bytes.set([0xff, 0xd8, 0xff]);
      if (round % 3 === 1 && length >= 8) bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect('code' in binding.inspectWholeFile(bytes, bytes.slice(Math.max(0, length - 12)), length)).toBe(true);
    }
    // A head or tail longer than the file is refused, not read past.
    expect(binding.inspectWholeFile(new Uint8Array(8), new Uint8Array(4), 4)).toMatchObject({
      code: 'ERR_OFFLOOP_INVALID_ARGUMENT',
    });
    expect(binding.inspectWholeFile(new Uint8Array(4), new Uint8Array(13), 100)).toMatchObject({
      code: 'ERR_OFFLOOP_INVALID_ARGUMENT',
    });
    expect(() => binding.inspectWholeFile(new Uint16Array(4) as unknown as Uint8Array, new Uint8Array(0), 8)).toThrow(
      TypeError,
    );
  });
});
