// A short smoke of offloop under another JavaScript runtime (Bun, Deno), run
// by scripts/runtime-smoke.sh: the kernels against the pure-JS reference,
// sync and on the pool; an image fixture bit-exact with Pillow's golden; a
// file written. Prints one line "runtime-smoke: <runtime>: N passed, N failed".
//
//   bun test/runtimes/smoke.mjs <out folder>
//   deno run -A test/runtimes/smoke.mjs <out folder>
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const offloop = require(join(root, 'dist', 'cjs', 'index.js'));
const reference = require(join(root, 'dist', 'cjs', 'reference.js'));
const runtime = globalThis.Bun
  ? `bun ${globalThis.Bun.version}`
  : globalThis.Deno
    ? `deno ${globalThis.Deno.version.deno}`
    : `node ${process.version}`;
const out = process.argv[2] ?? (globalThis.Deno ? globalThis.Deno.args[0] : undefined);
const results = [];

async function check(name, body) {
  try {
    await body();
    results.push([name, 'ok']);
  } catch (error) {
    results.push([name, String(error?.stack ? error.stack : error)]);
  }
}
function equal(a, b, what) {
  const same = a.length === b.length && Array.prototype.every.call(a, (x, i) => Object.is(x, b[i]));
  if (!same) throw new Error(`${what}: differs from the reference`);
}

await check('squares, sync and pool, as the reference', async () => {
  const values = Float64Array.from({ length: 300_003 }, (_, i) => (i % 3 ? -1 : 1) * i * 0.37);
  const want = reference.computeSquaresSync(values);
  equal(offloop.computeSquaresSync(values), want, 'sync');
  equal(await offloop.computeSquares(values), want, 'pool');
});
await check('sum of squares, sync and pool, as the reference', async () => {
  const range = { from: 1, to: 300_003 };
  if (offloop.sumOfSquaresSync(range) !== reference.sumOfSquaresSync(range)) throw new Error('sync');
  if ((await offloop.sumOfSquares(range)) !== reference.sumOfSquaresSync(range)) throw new Error('pool');
});
await check('grayscale, sync and pool, as the reference', async () => {
  const width = 641;
  const height = 479;
  const data = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 2654435761) >>> 24);
  const image = { data, width, height, channels: 4 };
  equal(offloop.grayscaleSync(image), reference.grayscaleSync(image), 'sync');
  equal(await offloop.grayscale(image), reference.grayscaleSync(image), 'pool');
});
await check(
  "grayscaleFile: a JPEG and a PNG fixture bit-exact with Pillow's goldens, one written to a file",
  async () => {
    const images = join(root, 'test', 'fixtures', 'images');
    for (const [file, golden] of [
      ['jpeg/ycc-420-base-61x37.jpg', 'jpeg/ycc-420-base-61x37.gray'],
      ['png/rgba16-adam7-29x17.png', 'png/rgba16-adam7-29x17.gray'],
    ]) {
      const result = await offloop.grayscaleFile(join(images, file));
      equal(result.data, readFileSync(join(images, golden)), file);
    }
    const written = await offloop.grayscaleFile(join(images, 'jpeg/ycc-420-base-61x37.jpg'), {
      output: join(out, 'gray.png'),
      format: 'png',
    });
    const back = await offloop.grayscaleFile(written.output);
    equal(back.data, readFileSync(join(images, 'jpeg/ycc-420-base-61x37.gray')), 'written PNG');
  },
);

for (const [name, state] of results)
  console.log(`  ${state === 'ok' ? 'ok  ' : 'FAIL'} ${name}${state === 'ok' ? '' : `\n       ${state}`}`);
const passed = results.filter(([, state]) => state === 'ok').length;
console.log(`runtime-smoke: ${runtime}: ${passed} passed, ${results.length - passed} failed`);
process.exitCode = passed === results.length ? 0 : 1;
