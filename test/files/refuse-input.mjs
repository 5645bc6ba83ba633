// Runs grayscaleFile on argv[2] (options as JSON in argv[3]) in a fresh
// process and prints what happened: the error's code and message (or "ok"),
// the milliseconds the call took and the process's peak RSS in MiB. A
// process of its own, because an input that blocks would hold a pool thread
// for good (the caller's timeout then fails the test instead of hanging it).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { grayscaleFile } = require('../../dist/cjs/index.js');

const options = process.argv[3] === undefined ? {} : JSON.parse(process.argv[3]);
const started = performance.now();
const outcome = await grayscaleFile(process.argv[2], options).then(
  (result) => ({ code: 'ok', width: result.width }),
  (error) => ({ code: error.code, message: error.message }),
);
const ms = performance.now() - started;
console.log(JSON.stringify({ ...outcome, ms, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
