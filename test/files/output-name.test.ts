// An output's name decides its format when the options do not (format
// 'same', the default), as sharp's toFile('x.png') and `convert a.jpg x.png`
// do; an explicit format the name contradicts is refused before anything is
// read or written; the output's folder is created, as grayscaleFiles does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync, grayscaleFiles, isOffloopError } from '../../lib/index.js';
import { entries, fixture, tempFolder } from './helpers.js';

const JPEG = fixture('jpeg/ycc-420-base-61x37.jpg');
const PNG = fixture('png/rgb8-61x37.png');

let temp: ReturnType<typeof tempFolder>;
beforeAll(() => (temp = tempFolder('offloop-output-name-')));
afterAll(() => temp.cleanup());

/** The format of a file's bytes. */
function formatOf(path: string): string {
  const head = readFileSync(path).subarray(0, 4);
  if (head[0] === 0xff && head[1] === 0xd8) return 'jpeg';
  if (head.toString('latin1', 1, 4) === 'PNG') return 'png';
  if (head.toString('latin1', 0, 4) === 'RIFF') return 'webp';
  return 'other';
}

describe("an output's extension", () => {
  it.each([
    ['a JPEG to .png', JPEG, 'x.png', 'png'],
    ['a PNG to .jpg', PNG, 'y.jpg', 'jpeg'],
    ['a PNG to .JPEG (any case)', PNG, 'z.JPEG', 'jpeg'],
    ['a JPEG to .jpeg', JPEG, 'w.jpeg', 'jpeg'],
    ['a PNG to .webp', PNG, 'v.webp', 'webp'],
    ["a JPEG to .gif (not a format offloop writes): the input's", JPEG, 'u.gif', 'jpeg'],
    ["a JPEG to a name without extension: the input's", JPEG, 'noext', 'jpeg'],
  ])('with format same: %s', async (_name, input, name, expected) => {
    for (const [how, run] of [
      ['async', (output: string) => grayscaleFile(input, { output })],
      ['sync', async (output: string) => grayscaleFileSync(input, { output, format: 'same' })],
    ] as const) {
      const output = join(temp.dir, how, name);
      const result = await run(output);
      expect(result.format, how).toBe(expected);
      expect(formatOf(output), how).toBe(expected);
    }
  });

  it('an explicit format that agrees with the name is fine; one that contradicts it is refused, nothing read or written', async () => {
    expect((await grayscaleFile(JPEG, { output: join(temp.dir, 'agree', 'a.png'), format: 'png' })).format).toBe('png');
    const output = join(temp.dir, 'refused', 'b.png');
    const error = await grayscaleFile(join(temp.dir, 'missing.jpg'), { output, format: 'jpeg' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_OFFLOOP_EXTENSION_MISMATCH' });
    expect((error as Error).message).toContain(
      `options.format is 'jpeg' but options.output '${output}' names a PNG file`,
    );
    expect(isOffloopError(error)).toBe(true);
    // The stack starts at the caller (this file), as for every argument error.
    expect((error as Error).stack!.split('\n')[1]).toContain('output-name.test.ts');
    expect(() => grayscaleFileSync(JPEG, { output, format: 'jpeg' })).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLOOP_EXTENSION_MISMATCH' }),
    );
    expect(existsSync(join(temp.dir, 'refused'))).toBe(false);
    // In memory there is no name: the format is whatever was asked.
    const encoded = await grayscaleFile(JPEG, { encode: true, format: 'png' });
    expect(encoded.format).toBe('png');
  });

  it("grayscaleFile creates the output's folders, sync and async", async () => {
    const deep = join(temp.dir, 'made', 'a', 'b', 'c.jpg');
    expect((await grayscaleFile(JPEG, { output: deep })).output).toBe(deep);
    expect(formatOf(deep)).toBe('jpeg');
    const deeper = join(temp.dir, 'made-sync', 'd', 'e.png');
    grayscaleFileSync(PNG, { output: deeper });
    expect(formatOf(deeper)).toBe('png');
  });

  it('in a batch: the name decides with format same; a contradiction fails that file, the batch goes on', async () => {
    const out = join(temp.dir, 'batch');
    const results = [];
    for await (const result of grayscaleFiles(
      [
        { input: JPEG, output: join(out, 'one.png') },
        { input: PNG, output: join(out, 'two.jpg') },
      ],
      { ordered: true },
    )) {
      results.push(result);
    }
    expect(results.map((r) => (r.error ? r.error.code : r.skipped ? 'skipped' : r.format))).toEqual(['png', 'jpeg']);
    expect([formatOf(join(out, 'one.png')), formatOf(join(out, 'two.jpg'))]).toEqual(['png', 'jpeg']);
    const mixed = [];
    for await (const result of grayscaleFiles([JPEG, PNG], {
      output: (input) => join(out, 'mixed', input.endsWith('.png') ? 'p.jpg' : 'j.png'),
      format: 'png',
      ordered: true,
    })) {
      mixed.push(result.error ? result.error.code : result.skipped ? 'skipped' : result.format);
    }
    expect(mixed).toEqual(['png', 'ERR_OFFLOOP_EXTENSION_MISMATCH']);
    expect(entries(join(out, 'mixed'))).toEqual(['j.png']);
  });
});
