// The Windows smoke suite, run by Windows' node.exe (under wine in CI:
// scripts/windows-smoke.sh) with the win32-x64 prebuild (PREBUILDS_ONLY=1).
// Node's stdout to a Linux pipe fails under wine, so the results go to a
// file as JSON: { ok, checks: { name: "ok" | "FAILED: ..." } }.
//
//   node.exe test/windows/smoke.cjs <results.json> [kernels]
//
// "kernels" runs only the kernel checks (once per OFFLOOP_SIMD level).
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Worker } = require('node:worker_threads');

const root = join(__dirname, '..', '..');
const images = join(root, 'test', 'fixtures', 'images');
const [resultsFile, only] = process.argv.slice(2);
const offloop = require(join(root, 'dist', 'cjs', 'index.js'));
const reference = require(join(root, 'dist', 'cjs', 'reference.js'));
const checks = {};

async function check(name, body) {
  try {
    await body();
    checks[name] = 'ok';
  } catch (error) {
    checks[name] = `FAILED: ${error?.stack ? error.stack : error}`;
  }
}

const same = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), b) === 0;

async function kernels() {
  const simd = offloop.features().simd;
  await check(`binary is the win32-x64 prebuild (simd ${simd})`, () => {
    const { binary } = offloop.features();
    assert.equal(process.platform, 'win32');
    assert.match(binary.path.replace(/\\/g, '/'), /prebuilds\/win32-x64\/offloop\.node$/);
  });
  await check(
    'codecs: libjpeg-turbo 2.1.5, libpng 1.6.39, zlib 1.2.13, libdeflate 1.14, libwebp 1.2.4, libtiff 4.5.0, linked into offloop.node',
    () => {
      const { codecs } = offloop.features();
      for (const [name, version] of [
        ['jpeg', '2.1.5'],
        ['png', '1.6.39'],
        ['zlib', '1.2.13'],
        ['deflate', '1.14'],
        ['webp', '1.2.4'],
        ['tiff', '4.5.0'],
      ]) {
        assert.deepEqual(
          { name, version: codecs[name].version, linkage: codecs[name].linkage },
          { name, version, linkage: 'static' },
        );
      }
    },
  );
  // Sync (the calling thread) and async (the pool), small and past several chunks.
  for (const n of [1, 7, 1000, 300_003]) {
    await check(`squares ${n} (${simd}): sync and pool as the reference`, async () => {
      const values = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (i * 0.37 + 1e-3));
      const want = reference.computeSquaresSync(values);
      assert.deepEqual(offloop.computeSquaresSync(values), want);
      assert.deepEqual(await offloop.computeSquares(values), want);
      const floats = Float32Array.from(values);
      assert.deepEqual(await offloop.computeSquares(floats), reference.computeSquaresSync(floats));
      assert.deepEqual(
        await offloop.computeSquares({ from: -n, to: n }),
        reference.computeSquaresSync({ from: -n, to: n }),
      );
    });
    await check(`sum of squares ${n} (${simd}): sync and pool as the reference`, async () => {
      const range = { from: 2 ** 40 - n, to: 2 ** 40 };
      assert.equal(offloop.sumOfSquaresSync(range), reference.sumOfSquaresSync(range));
      assert.equal(await offloop.sumOfSquares(range), reference.sumOfSquaresSync(range));
      const values = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1000);
      assert.equal(await offloop.sumOfSquares(values), reference.sumOfSquaresSync(values));
    });
  }
  for (const [width, height, channels] of [
    [1, 1, 4],
    [13, 7, 3],
    [640, 480, 4],
    [1023, 517, 3],
  ]) {
    await check(`grayscale ${width}x${height}x${channels} (${simd}): sync and pool as the reference`, async () => {
      const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 2654435761) >>> 24);
      const image = { data, width, height, channels };
      const want = reference.grayscaleSync(image);
      assert.deepEqual(offloop.grayscaleSync(image), want);
      assert.deepEqual(await offloop.grayscale(image), want);
    });
  }
}

async function files(work) {
  const manifest = JSON.parse(readFileSync(join(images, 'manifest.json'), 'utf8'));
  // Undamaged fixtures: on damaged JPEG data, SIMD paths may differ.
  const fixtures = manifest.decode.filter((entry) => entry.exact && !/trunc|damag|corrupt|bad/i.test(entry.file));
  await check(`grayscaleFile: ${fixtures.length} fixtures bit-exact with Pillow's goldens`, async () => {
    const wrong = [];
    for (const entry of fixtures) {
      try {
        const result = await offloop.grayscaleFile(join(images, entry.file));
        if (!same(result.data, readFileSync(join(images, entry.exact)))) wrong.push(`${entry.file}: pixels differ`);
      } catch (error) {
        wrong.push(`${entry.file}: ${error.code} ${error.message}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  const source = fixtures.find((entry) => entry.file.endsWith('.jpg')).file;
  const input = join(work, 'in');
  mkdirSync(input);
  const names = ['plain.jpg', 'grå фото 写真.jpg', 'b.jpg'];
  for (const name of names) copyFileSync(join(images, source), join(input, name));

  await check('grayscaleFile to a path with a drive letter, backslashes and a non-ASCII name', async () => {
    const output = join(work, 'ünïcödé 出力.png');
    assert.match(output, /^[A-Za-z]:\\/);
    const result = await offloop.grayscaleFile(join(input, names[1]), { output, format: 'png' });
    assert.equal(result.output, output);
    const back = await offloop.grayscaleFile(output);
    assert.equal(back.width, result.width);
  });

  await check('grayscaleFiles with outDir and a non-ASCII name: every output, no temporary file', async () => {
    const outDir = join(work, 'out');
    const results = [];
    for await (const result of offloop.grayscaleFiles(
      names.map((name) => join(input, name)),
      { outDir },
    ))
      results.push(result);
    assert.deepEqual(
      results.filter((result) => result.error).map((result) => String(result.error)),
      [],
    );
    assert.deepEqual(readdirSync(outDir).sort(), [...names].sort());
  });

  await check('grayscaleFiles aborted: rejects with the reason, leaves no partial or temporary file', async () => {
    const outDir = join(work, 'aborted');
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    let thrown;
    try {
      for await (const result of offloop.grayscaleFiles(
        names.map((name) => join(input, name)),
        { outDir, signal: controller.signal },
      ))
        void result;
    } catch (error) {
      thrown = error;
    }
    assert.equal(thrown, reason);
    assert.deepEqual(existsSync(outDir) ? readdirSync(outDir) : [], []);
  });

  // The CLI as a real process (its stdout and stderr to files: see above).
  const cli = join(root, 'dist', 'cjs', 'cli', 'main.js');
  const runCli = (args, tag) => {
    const out = join(work, `${tag}.out`);
    const err = join(work, `${tag}.err`);
    const fds = [openSync(out, 'w'), openSync(err, 'w')];
    const child = spawnSync(process.execPath, [cli, ...args], {
      stdio: ['ignore', ...fds],
      env: process.env,
      timeout: 300_000,
    });
    fds.forEach(closeSync);
    return { status: child.status, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
  };
  await check('CLI: gray on a folder with --json, -o with backslashes; exit 0', () => {
    const out = join(work, 'cli-out');
    const run = runCli(['gray', input, '-o', out, '--json'], 'gray');
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout
      .trim()
      .split(/\r?\n/)
      .map((line) => JSON.parse(line));
    assert.equal(lines.filter((line) => line.type === 'file' && line.status === 'processed').length, names.length);
    assert.equal(lines.at(-1).type, 'summary');
    assert.deepEqual(readdirSync(out).sort(), [...names].sort());
  });
  await check('CLI: a failed file exits 1, a usage error exits 2', () => {
    const bad = join(work, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'not-an-image.jpg'), 'no');
    copyFileSync(join(images, source), join(bad, 'good.jpg'));
    assert.equal(runCli(['gray', bad, '-o', join(work, 'bad-out')], 'failed').status, 1);
    const usage = runCli(['gray', bad, '--no-such-flag'], 'usage');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /no-such-flag/);
  });
  await check('CLI: offloop info', () => {
    const run = runCli(['info', '--json'], 'info');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /win32/);
  });
}

async function workerTerminatedMidJob() {
  await check('a worker terminated mid-job: the process and the pool go on', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      const offloop = require(${JSON.stringify(join(root, 'dist', 'cjs', 'index.js'))});
      const big = new Float64Array(4_000_000).fill(3);
      for (let i = 0; i < 4; i++) offloop.computeSquares(big);
      parentPort.postMessage('started');
      setInterval(() => offloop.computeSquares(big), 1);`;
    for (let round = 0; round < 3; round++) {
      const worker = new Worker(code, { eval: true });
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
    }
    const values = Float64Array.from({ length: 200_000 }, (_, i) => i);
    assert.deepEqual(await offloop.computeSquares(values), reference.computeSquaresSync(values));
  });
}

(async () => {
  await kernels();
  if (only !== 'kernels') {
    const work = mkdtempSync(join(tmpdir(), 'offloop-win-'));
    await files(work);
    await workerTerminatedMidJob();
  }
  const ok = Object.values(checks).every((value) => value === 'ok');
  writeFileSync(
    resultsFile,
    JSON.stringify({ ok, node: process.version, simd: offloop.features().simd, checks }, null, 1),
  );
  process.exitCode = ok ? 0 : 1;
})().catch((error) => {
  writeFileSync(resultsFile, JSON.stringify({ ok: false, crashed: String(error?.stack) }));
  process.exitCode = 1;
});
