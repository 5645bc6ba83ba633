// Run as a worker_thread by workers.test.ts: grays the files it is given
// (async and sync, from a path and from bytes, to memory and to a file in
// `outDir`) and posts back what it got.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

import { grayscaleFile, grayscaleFileSync } from 'offloop';

const { files, outDir, tag } = workerData;
const results = [];
for (const [k, file] of files.entries()) {
  const fromPath = await grayscaleFile(file);
  const fromBytes = grayscaleFileSync(readFileSync(file));
  const written = await grayscaleFile(file, { output: join(outDir, `${tag}-${k}.png`), format: 'png' });
  const error = await grayscaleFile(join(outDir, 'missing.jpg')).catch((e) => ({ code: e.code, message: e.message }));
  results.push({
    file,
    width: fromPath.width,
    height: fromPath.height,
    pixels: Buffer.from(fromPath.data).toString('base64'),
    sameSync: Buffer.compare(Buffer.from(fromPath.data), Buffer.from(fromBytes.data)) === 0,
    output: written.output,
    bytes: written.bytes,
    error,
  });
}
parentPort.postMessage(results);
