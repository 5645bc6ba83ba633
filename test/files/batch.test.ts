// grayscaleFiles: results equal grayscaleFile's, order, failures as results,
// bounded pulls, clean stops, listing rules, naming, skipExisting, abort.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFiles, type GrayscaleFilesResult } from '../../lib/index.js';
import { collect, fixture, listAll, tempFolder, writeLargePng } from './helpers.js';

const JPEGS = ['jpeg/ycc-444-base-61x37.jpg', 'jpeg/gray-base-61x37.jpg', 'jpeg/cmyk-adobe-61x37.jpg'];
const PNGS = ['png/gray1-61x37.png'];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let temp: ReturnType<typeof tempFolder>;
let src: string;

function folder(name: string): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  temp = tempFolder('offloop-batch-');
  src = folder('src');
  for (const rel of [...JPEGS, ...PNGS]) copyFileSync(fixture(rel), join(src, basename(rel)));
  mkdirSync(join(src, 'sub'));
  copyFileSync(fixture(JPEGS[0]!), join(src, 'sub', 'deep.JPG'));
  writeFileSync(join(src, 'notes.txt'), 'not an image');
});
afterAll(() => temp.cleanup());

describe('grayscaleFiles', () => {
  it('writes the bytes grayscaleFile writes, mirroring the folder (recursive), images only', async () => {
    const out = folder('mirror');
    const results = await collect(grayscaleFiles(src, { outDir: out, recursive: true }));
    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(listAll(out)).toEqual(
      [...JPEGS, ...PNGS]
        .map((rel) => basename(rel))
        .concat('sub/deep.JPG')
        .sort(),
    );
    const ref = folder('mirror-ref');
    for (const result of results) {
      if (result.error !== undefined || result.skipped) throw new Error('unexpected');
      const expected = join(ref, basename(result.output));
      const one = await grayscaleFile(result.input, { output: expected });
      expect(result.bytesOut).toBe(one.bytes);
      expect(result.width).toBe(one.width);
      expect(readFileSync(result.output).equals(readFileSync(expected))).toBe(true);
      expect(result.ms).toBeGreaterThanOrEqual(0);
      expect(Object.keys(result.timings).sort()).toEqual(['decode', 'encode', 'orient', 'read', 'write']);
      expect(result.timings.decode + result.timings.encode).toBeGreaterThan(0);
      expect(
        result.timings.read + result.timings.decode + result.timings.encode + result.timings.write,
      ).toBeLessThanOrEqual(result.ms + 1);
    }
  });

  it('is not recursive by default and changes the extension with format', async () => {
    const out = folder('flat');
    const results = await collect(grayscaleFiles(src, { outDir: out, format: 'png' }));
    expect(results).toHaveLength(JPEGS.length + PNGS.length);
    expect(listAll(out)).toEqual([...JPEGS, ...PNGS].map((rel) => basename(rel).replace(/\.jpg$/, '.png')).sort());
    expect(results.every((r) => r.error === undefined && !r.skipped && r.format === 'png')).toBe(true);
  });

  it('takes a list as given (no extension filter), a failing file is a result, ordered keeps input order', async () => {
    const out = folder('list');
    const bad = join(src, 'notes.txt');
    const list = [
      join(src, basename(JPEGS[0]!)),
      bad,
      new URL(`file://${join(src, basename(PNGS[0]!))}`),
      join(src, 'missing.png'),
    ];
    const progress: unknown[] = [];
    const results = await collect(
      grayscaleFiles(list, { outDir: out, ordered: true, onProgress: (p) => progress.push(p) }),
    );
    expect(results.map((r) => r.input)).toEqual([list[0], bad, join(src, basename(PNGS[0]!)), list[3]]);
    expect(results.map((r) => r.error !== undefined)).toEqual([false, true, false, true]);
    expect(progress.at(-1)).toMatchObject({ done: 2, failed: 2, total: 4 });
    expect(progress).toHaveLength(4);
  });

  it("a folder's or a generator's total is filled in once its listing has ended (it was never given before)", async () => {
    const files = JPEGS.length + PNGS.length;
    async function* paths() {
      for (const rel of [...JPEGS, ...PNGS]) yield join(src, basename(rel));
    }
    // A report per file; the end of the listing is seen either while files still
    // run (no extra report) or after the last result, which one more report then
    // gives: which of the two is a race (under ASan the folder's files can all
    // finish first), so both are allowed and the extra report adds nothing but the total.
    for (const [name, inputs, concurrency] of [
      ['folder', src, 3],
      ['generator', paths(), 1],
    ] as const) {
      const progress: Array<{ total?: number; done: number; failed: number }> = [];
      await collect(
        grayscaleFiles(inputs, {
          outDir: folder(`total-${name}`),
          concurrency,
          ordered: true,
          onProgress: (p) => progress.push(p),
        }),
      );
      expect([files, files + 1], name).toContain(progress.length);
      if (progress.length === files + 1) expect(progress.at(-2)?.done, name).toBe(files);
      expect(progress.at(-1), name).toMatchObject({ total: files, done: files, failed: 0 });
      // Unknown at first, then the one true number, never changing.
      const known = progress.findIndex((p) => p.total !== undefined);
      expect(known, name).toBeGreaterThan(0);
      expect(
        progress.slice(known).every((p) => p.total === files),
        name,
      ).toBe(true);
      expect(
        progress.slice(0, known).every((p) => p.total === undefined),
        name,
      ).toBe(true);
    }
  });

  it('names outputs with a function or pairs, creating folders', async () => {
    const out = folder('named');
    const a = join(src, basename(JPEGS[1]!));
    const results = await collect(
      grayscaleFiles([a, { input: a, output: join(out, 'p/q/pair.jpg') }], {
        output: (input) => join(out, 'fn', `${basename(input)}.jpg`),
      }),
    );
    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(listAll(out)).toEqual(['fn/gray-base-61x37.jpg.jpg', 'p/q/pair.jpg']);
  });

  it("a failing file makes no folder for its output (the pool thread makes it once the image is ready, as grayscaleFile's)", async () => {
    const out = folder('failing-folders');
    const missing = join(src, 'no-such-file.jpg');
    const notImage = join(src, 'notes.txt');
    const results = await collect(
      grayscaleFiles(
        [
          { input: missing, output: join(out, 'never', 'a.jpg') },
          { input: notImage, output: join(out, 'nor', 'b.jpg') },
          { input: join(src, basename(JPEGS[0]!)), output: join(out, 'made', 'deep', 'c.jpg') },
        ],
        { ordered: true },
      ),
    );
    expect(results.map((r) => r.error === undefined)).toEqual([false, false, true]);
    expect(results[0]!.error).toMatchObject({ code: 'ENOENT' });
    expect(listAll(out)).toEqual(['made/deep/c.jpg']);
    expect(existsSync(join(out, 'never'))).toBe(false);
    expect(existsSync(join(out, 'nor'))).toBe(false);
  });

  it('pulls lazily: a never-ending generator, stopped after N, was pulled at most N + concurrency times and closed', async () => {
    const out = folder('endless');
    const file = join(src, basename(JPEGS[0]!));
    let pulled = 0;
    let closed = false;
    function* endless() {
      try {
        for (;;) {
          pulled++;
          // Each its own output: one output claimed twice is a collision.
          yield { input: file, output: join(out, `${pulled}.jpg`) };
        }
      } finally {
        closed = true;
      }
    }
    const N = 20;
    const concurrency = 3;
    let seen = 0;
    for await (const result of grayscaleFiles(endless(), { concurrency })) {
      expect(result.error).toBeUndefined();
      if (++seen === N) break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThanOrEqual(N + concurrency);
    expect(listAll(out).every((name) => /^\d+\.jpg$/.test(name))).toBe(true); // no temporary files
  });

  it('skipExisting finishes what a partial run left', async () => {
    const out = folder('resume');
    let seen = 0;
    for await (const result of grayscaleFiles(src, { outDir: out, concurrency: 1, ordered: true })) {
      expect(result.error).toBeUndefined();
      if (++seen === 2) break;
    }
    const before = listAll(out);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const results = await collect(grayscaleFiles(src, { outDir: out, skipExisting: true }));
    expect(results.filter((r) => r.skipped)).toHaveLength(before.length);
    expect(listAll(out)).toHaveLength(JPEGS.length + PNGS.length);
  });

  it('a symlink loop in a recursive listing ends', async () => {
    const dir = folder('loop');
    copyFileSync(fixture(PNGS[0]!), join(dir, 'a.png'));
    symlinkSync(dir, join(dir, 'self'));
    symlinkSync(join(dir, 'a.png'), join(dir, 'link.png'));
    const results = await collect(grayscaleFiles(dir, { output: (input) => `${input}.out.png`, recursive: true }));
    expect(results.map((r) => basename(String(r.input))).sort()).toEqual(['a.png', 'link.png']);
  });

  it('a folder inside the listing that cannot be read is a result; the listing goes on', async () => {
    const dir = folder('locked-tree');
    copyFileSync(fixture(JPEGS[0]!), join(dir, 'a.jpg'));
    mkdirSync(join(dir, 'locked'));
    copyFileSync(fixture(JPEGS[0]!), join(dir, 'locked', 'b.jpg'));
    mkdirSync(join(dir, 'open'));
    copyFileSync(fixture(PNGS[0]!), join(dir, 'open', 'c.png'));
    chmodSync(join(dir, 'locked'), 0o000);
    const out = join(temp.dir, 'locked-out');
    const script = `
      const { grayscaleFiles } = require(${JSON.stringify(join(ROOT, 'dist/cjs/index.js'))});
      (async () => {
        const results = [];
        for await (const r of grayscaleFiles(${JSON.stringify(dir)}, { outDir: ${JSON.stringify(out)}, recursive: true })) {
          results.push({ input: r.input, code: r.error?.code, path: r.error?.path });
        }
        console.log(JSON.stringify(results));
      })();`;
    // Root reads any folder: as root, run the batch in a user namespace where
    // this uid is an unprivileged one (the files stay its own, so the
    // project is readable wherever it was cloned, and the 000 folder is not).
    const asRoot = process.getuid?.() === 0;
    const inNamespace = ['unshare', '--user', '--map-user=65534', '--map-group=65534', '--'];
    if (asRoot && spawnSync(inNamespace[0]!, [...inNamespace.slice(1), 'true']).status !== 0) {
      console.warn(
        'batch.test.ts: the unreadable-folder case is skipped: running as root and no user namespaces here (unshare --user)',
      );
      chmodSync(join(dir, 'locked'), 0o755);
      return;
    }
    const command = asRoot ? [...inNamespace, process.execPath, '-e', script] : [process.execPath, '-e', script];
    const run = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', timeout: 60_000 });
    chmodSync(join(dir, 'locked'), 0o755);
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as Array<{ input: string; code?: string; path?: string }>;
    const byName = Object.fromEntries(results.map((r) => [r.input.slice(dir.length + 1), r.code]));
    expect(byName).toEqual({ 'a.jpg': undefined, locked: 'EACCES', [join('open', 'c.png')]: undefined });
    expect(results.find((r) => r.code)?.path).toBe(join(dir, 'locked'));
    expect(listAll(out)).toEqual(['a.jpg', join('open', 'c.png')]);
  });

  it('an abort stops the batch: what completed is yielded, then the reason is thrown; no partial output', async () => {
    const dir = folder('abort-src');
    const big = join(dir, 'big.png');
    writeLargePng(big, 3000, 2000, 3);
    const out = folder('abort-out');
    const controller = new AbortController();
    const small = join(src, basename(JPEGS[0]!));
    const inputs = [small, ...Array.from({ length: 4 }, (_, i) => ({ input: big, output: join(out, `big${i}.png`) }))];
    const reason = new Error('stop');
    const yielded: GrayscaleFilesResult[] = [];
    const run = (async () => {
      for await (const result of grayscaleFiles(inputs, {
        outDir: out,
        concurrency: 2,
        ordered: true,
        signal: controller.signal,
      })) {
        yielded.push(result);
        if (yielded.length === 1) setTimeout(() => controller.abort(reason), 30);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(yielded[0]).toMatchObject({ input: small });
    const files = listAll(out);
    expect(files).toEqual(yielded.map((r) => basename(String((r as { output: string }).output))).sort());
  });

  it('an onProgress that throws ends the batch with its error and closes the inputs', async () => {
    const out = folder('progress-throws');
    let closed = false;
    const file = join(src, basename(JPEGS[0]!));
    function* inputs() {
      try {
        for (let i = 0; i < 50; i++) yield { input: file, output: join(out, `${i}.jpg`) };
      } finally {
        closed = true;
      }
    }
    const failure = new Error('progress failed');
    const run = collect(
      grayscaleFiles(inputs(), {
        concurrency: 2,
        onProgress: () => {
          throw failure;
        },
      }),
    );
    await expect(run).rejects.toBe(failure);
    expect(closed).toBe(true);
    expect(listAll(out).every((name) => /^\d+\.jpg$/.test(name))).toBe(true);
  });

  it('an abort does not wait for a source stuck on its next input', async () => {
    const out = folder('abort-stuck');
    const file = join(src, basename(JPEGS[0]!));
    const controller = new AbortController();
    async function* stuck() {
      yield { input: file, output: join(out, 'a.jpg') };
      await new Promise(() => {});
    }
    const yielded: GrayscaleFilesResult[] = [];
    const run = (async () => {
      for await (const result of grayscaleFiles(stuck(), { signal: controller.signal })) {
        yielded.push(result);
        setTimeout(() => controller.abort(new Error('stuck')), 20);
      }
    })();
    await expect(run).rejects.toThrow('stuck');
    expect(yielded).toHaveLength(1);
    expect(listAll(out)).toEqual(['a.jpg']);
  });

  it('rejects bad options at the first next()', async () => {
    const it1 = grayscaleFiles(src, { quality: 0 });
    await expect(it1.next()).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(grayscaleFiles(42 as never).next()).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(grayscaleFiles(src, { concurrency: 0 }).next()).rejects.toBeInstanceOf(RangeError);
  });
});
