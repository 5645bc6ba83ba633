// Writes grayscaleFile(argv[2]) to argv[3] in a fresh process whose umask
// is argv[4] (octal; process.umask cannot be set in vitest's workers), with
// the options of argv[5] (JSON); prints {ok} or {code, message}.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { grayscaleFile } = require('../../dist/cjs/index.js');

process.umask(parseInt(process.argv[4] ?? '022', 8));
const options = process.argv[5] === undefined ? {} : JSON.parse(process.argv[5]);
const outcome = await grayscaleFile(process.argv[2], { ...options, output: process.argv[3] }).then(
  () => ({ ok: true }),
  (error) => ({ code: error.code, message: error.message }),
);
console.log(JSON.stringify(outcome));
