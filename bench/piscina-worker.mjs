// The piscina contender's worker: the pure-JS kernel loops behind
// offloop/reference (the very code the main-thread baseline runs), applied to
// this worker's slice of SharedArrayBuffer inputs and outputs. Plans are
// built directly (no validation): the main thread has validated the whole
// input once, as offloop does. The loops are internal modules of the build,
// not public API, hence the relative paths.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { squaresInto } = require('../dist/cjs/js/squares.js');
const { sumOfSquaresOf } = require('../dist/cjs/js/sum.js');
const { grayscaleInto } = require('../dist/cjs/js/grayscale.js');

function squaresSlice({ input, out, start, count }) {
  const array = new Float64Array(input.buffer, input.byteOffset + start * 8, count);
  const target = new Float64Array(out.buffer, out.byteOffset + start * 8, count);
  squaresInto({ kind: 'array', array, length: count, bigint: false }, target);
}

function squaresRangeSlice({ from, out, start, count }) {
  const target = new Float64Array(out.buffer, out.byteOffset + start * 8, count);
  squaresInto({ kind: 'range', from: from + start, count }, target);
}

function sumSlice({ input, start, count }) {
  const array = new Float64Array(input.buffer, input.byteOffset + start * 8, count);
  return sumOfSquaresOf({ kind: 'array', array, length: count, bigint: false });
}

function grayscaleRows({ data, width, channels, out, firstRow, rows }) {
  const stride = width * channels;
  const plan = {
    data: new Uint8Array(data.buffer, data.byteOffset + firstRow * stride, rows * stride),
    width,
    height: rows,
    channels,
    stride,
    bgr: false,
    weights: 'bt601',
    pixels: width * rows,
  };
  grayscaleInto(plan, new Uint8Array(out.buffer, out.byteOffset + firstRow * width, rows * width));
}

// The tiny round trip: a 16-element Float64Array in (structured clone), its
// squares out: what a caller of a worker pool pays per small call.
function tinySquares({ input }) {
  const out = new Float64Array(input.length);
  squaresInto({ kind: 'array', array: input, length: input.length, bigint: false }, out);
  return out;
}

// A SharedArrayBuffer received in a task stays alive in this worker until
// this worker's heap is collected, and an idle worker with a tiny heap
// almost never collects: with a new shared output per call (the "new array"
// cases) that would keep 128 MiB per call alive. The bench sends `collect`
// between calls, outside the timings (needs --expose-gc, which
// `npm run bench` passes; V8 flags apply to workers too).
function collect() {
  globalThis.gc?.();
}

const OPS = { squaresSlice, squaresRangeSlice, sumSlice, grayscaleRows, tinySquares, collect };

export default function run(task) {
  return OPS[task.op](task);
}
