// The large cases: what each allocates, what every contender runs, how each
// result is checked, and how many bytes the work moves (for GB/s and the
// ceiling). A case allocates its inputs in setup() and drops them in
// release(), so only one case's buffers are alive at a time.
//
// Inputs live in SharedArrayBuffers for every contender (offloop accepts
// them as they are), so all contenders read the very same memory.
import { randomFillSync } from 'node:crypto';

import * as offloop from 'offloop';
import * as reference from 'offloop/reference';

import { copyCeilingContenders, readCeilingContender, trafficCeilingContender } from './contenders/ceiling.mjs';
import { arrayMapContender, referenceContender } from './contenders/javascript.mjs';
import { offloopContender } from './contenders/offloop.mjs';
import { piscinaContender, sharedBytes, sharedFloat64, slices } from './contenders/piscina.mjs';
import { expectNumber, expectSameBytes, expectSameNumbers } from './verify.mjs';

const M = 1 << 20;
const SUM_BLOCK = 16384; // offloop's fixed summation block (lib/js/sum.ts)

/** Deterministic doubles in [-1024, 1024): the same input every run. */
function fillDoubles(array, seed = 0x9e3779b9) {
  let x = seed >>> 0;
  for (let i = 0; i < array.length; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    array[i] = x / 2 ** 21 - 1024;
  }
  return array;
}

function bytesView(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The JS sum of all bytes (checks the read ceiling). */
function byteSum(bytes) {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i];
  return sum;
}

function withVerify(contender, verify) {
  contender.verify = (result) => verify(result, contender.id);
  return contender;
}

// ---------------------------------------------------------------------------

function squaresFloat64Case({ into }) {
  const n = 16 * M;
  const id = into === 'out' ? 'squares-f64-out' : 'squares-f64-new';
  return {
    id,
    title: `squares of ${n / M}M Float64 ${into === 'out' ? 'into out' : 'into a new array'}`,
    label: `squares ${n / M}M f64 → ${into === 'out' ? 'out' : 'new'}`,
    group: 'squares',
    large: true,
    bytes: { input: 8 * n, output: 8 * n },
    ceiling: 'copy',
    setup({ threadCounts, pools }) {
      const input = fillDoubles(sharedFloat64(n));
      const expected = reference.computeSquaresSync(input);
      const out = into === 'out' ? sharedFloat64(n) : undefined;
      const ceilingDst = new Uint8Array(8 * n);
      const check = (result, who) => expectSameBytes(result, expected, `${id} ${who}`);
      const contenders = [
        withVerify(
          referenceContender(() =>
            out ? reference.computeSquaresSync(input, { out }) : reference.computeSquaresSync(input),
          ),
          check,
        ),
      ];
      for (const threads of threadCounts) {
        contenders.push(
          withVerify(
            offloopContender(threads, () =>
              out ? offloop.computeSquares(input, { out }) : offloop.computeSquares(input),
            ),
            check,
          ),
          withVerify(
            piscinaContender(
              pools,
              threads,
              () => {
                const target = out ?? sharedFloat64(n);
                return {
                  result: target,
                  tasks: slices(n, threads, 8).map((s) => ({ op: 'squaresSlice', input, out: target, ...s })),
                };
              },
              undefined,
              { freshBuffers: out === undefined },
            ),
            check,
          ),
          ...copyCeilingContenders(threads, bytesView(input), ceilingDst).map((c) =>
            withVerify(c, (result, who) => expectSameBytes(result, bytesView(input), `${id} ${who}`)),
          ),
        );
      }
      return {
        contenders,
        scrub() {
          out?.fill(NaN);
          ceilingDst.fill(0xab);
        },
      };
    },
  };
}

function squaresNumberArrayCase() {
  const n = M;
  const id = 'squares-number-array';
  return {
    id,
    title: `squares of a ${n / M}M-element number[]`,
    label: `squares ${n / M}M number[]`,
    group: 'squares',
    large: true,
    bytes: { input: 8 * n, output: 8 * n },
    ceiling: null,
    setup({ threadCounts, pools }) {
      const array = Array.from(fillDoubles(new Float64Array(n)));
      const expected = reference.computeSquaresSync(array);
      const check = (result, who) => expectSameNumbers(result, expected, `${id} ${who}`);
      const contenders = [
        withVerify(
          referenceContender(() => reference.computeSquaresSync(array)),
          check,
        ),
        withVerify(arrayMapContender(array), check),
      ];
      for (const threads of threadCounts) {
        contenders.push(
          withVerify(
            offloopContender(threads, () => offloop.computeSquares(array)),
            check,
          ),
          withVerify(
            piscinaContender(
              pools,
              threads,
              () => {
                // A number[] cannot be shared: copy it (TypedArray#set, V8's
                // fast path) into shared memory, as offloop copies it too.
                const input = sharedFloat64(n);
                input.set(array);
                const target = sharedFloat64(n);
                return {
                  result: target,
                  tasks: slices(n, threads, 8).map((s) => ({ op: 'squaresSlice', input, out: target, ...s })),
                };
              },
              undefined,
              { freshBuffers: true },
            ),
            check,
          ),
        );
      }
      return { contenders };
    },
  };
}

function squaresRangeCase() {
  const n = 1_000_000;
  const id = 'squares-range';
  return {
    id,
    title: 'squares of the range 1..1,000,000',
    label: 'squares 1..1e6',
    group: 'squares',
    large: true,
    bytes: { input: 0, output: 8 * n },
    ceiling: null,
    setup({ threadCounts, pools }) {
      const range = { from: 1, to: n };
      const expected = reference.computeSquaresSync(range);
      const check = (result, who) => expectSameBytes(result, expected, `${id} ${who}`);
      const contenders = [
        withVerify(
          referenceContender(() => reference.computeSquaresSync(range)),
          check,
        ),
      ];
      for (const threads of threadCounts) {
        contenders.push(
          withVerify(
            offloopContender(threads, () => offloop.computeSquares(range)),
            check,
          ),
          withVerify(
            piscinaContender(
              pools,
              threads,
              () => {
                const target = sharedFloat64(n);
                return {
                  result: target,
                  tasks: slices(n, threads, 8).map((s) => ({ op: 'squaresRangeSlice', from: 1, out: target, ...s })),
                };
              },
              undefined,
              { freshBuffers: true },
            ),
            check,
          ),
        );
      }
      return { contenders };
    },
  };
}

function sumCase() {
  const n = 16 * M;
  const id = 'sum-f64';
  return {
    id,
    title: `sumOfSquares of ${n / M}M Float64`,
    label: `sumOfSquares ${n / M}M f64`,
    group: 'sum',
    large: true,
    bytes: { input: 8 * n, output: 0 },
    ceiling: 'read',
    setup({ threadCounts, pools }) {
      const input = fillDoubles(sharedFloat64(n));
      const expected = reference.sumOfSquaresSync(input);
      const inputBytes = bytesView(input);
      const expectedByteSum = byteSum(inputBytes);
      // offloop and the reference fold the same blocks in the same order:
      // bit-identical. The piscina version adds its workers' partial sums,
      // a different (equally legitimate) association: nearly identical.
      const exact = (result, who) => expectNumber(result, expected, `${id} ${who}`);
      const close = (result, who) => expectNumber(result, expected, `${id} ${who}`, 1e-12);
      const contenders = [
        withVerify(
          referenceContender(() => reference.sumOfSquaresSync(input)),
          exact,
        ),
      ];
      for (const threads of threadCounts) {
        contenders.push(
          withVerify(
            offloopContender(threads, () => offloop.sumOfSquares(input)),
            exact,
          ),
          withVerify(
            piscinaContender(
              pools,
              threads,
              () => ({ tasks: slices(n, threads, SUM_BLOCK).map((s) => ({ op: 'sumSlice', input, ...s })) }),
              (partials) => partials.reduce((a, b) => a + b, 0),
            ),
            close,
          ),
          withVerify(readCeilingContender(threads, inputBytes), (result, who) =>
            expectNumber(result, expectedByteSum, `${id} ${who}`),
          ),
        );
      }
      return { contenders };
    },
  };
}

function grayscaleCase({ label, width, height, channels }) {
  const id = `gray-${label}-${channels === 3 ? 'rgb' : 'rgba'}`;
  const pixels = width * height;
  const inputBytes = pixels * channels;
  return {
    id,
    title: `grayscale ${label.toUpperCase()} ${channels === 3 ? 'RGB' : 'RGBA'} (${width}x${height})`,
    label: `grayscale ${label.toUpperCase()} ${channels === 3 ? 'RGB' : 'RGBA'}`,
    group: 'grayscale',
    large: true,
    bytes: { input: inputBytes, output: pixels },
    ceiling: 'copy',
    setup({ threadCounts, pools }) {
      const data = sharedBytes(inputBytes);
      randomFillSync(data);
      const image = { data, width, height, channels };
      const expected = reference.grayscaleSync(image);
      const out = sharedBytes(pixels);
      // The copy ceiling moves the same total: (read + written) / 2 bytes copied.
      const copyBytes = Math.round((inputBytes + pixels) / 2);
      const ceilingSrc = data.subarray(0, copyBytes);
      const ceilingDst = new Uint8Array(copyBytes);
      // The traffic ceiling reads all of the input and writes an output's worth.
      const trafficDst = new Uint8Array(pixels);
      const expectedByteSum = byteSum(data);
      const check = (result, who) => expectSameBytes(result, expected, `${id} ${who}`);
      const contenders = [
        withVerify(
          referenceContender(() => reference.grayscaleSync(image, { out })),
          check,
        ),
      ];
      for (const threads of threadCounts) {
        contenders.push(
          withVerify(
            offloopContender(threads, () => offloop.grayscale(image, { out })),
            check,
          ),
          withVerify(
            piscinaContender(pools, threads, () => ({
              result: out,
              tasks: slices(height, threads).map((s) => ({
                op: 'grayscaleRows',
                data,
                width,
                channels,
                out,
                firstRow: s.start,
                rows: s.count,
              })),
            })),
            check,
          ),
          ...copyCeilingContenders(threads, ceilingSrc, ceilingDst).map((c) =>
            withVerify(c, (result, who) => expectSameBytes(result, ceilingSrc, `${id} ${who}`)),
          ),
          withVerify(trafficCeilingContender(threads, data, trafficDst), (result, who) =>
            expectNumber(result, expectedByteSum, `${id} ${who}`),
          ),
        );
      }
      return {
        contenders,
        scrub() {
          out.fill(0xab);
          ceilingDst.fill(0xab);
          trafficDst.fill(0xab);
        },
      };
    },
  };
}

/** Every large case, in run order. */
export function largeCases() {
  return [
    squaresFloat64Case({ into: 'out' }),
    squaresFloat64Case({ into: 'new' }),
    squaresNumberArrayCase(),
    squaresRangeCase(),
    sumCase(),
    grayscaleCase({ label: '4k', width: 3840, height: 2160, channels: 3 }),
    grayscaleCase({ label: '4k', width: 3840, height: 2160, channels: 4 }),
    grayscaleCase({ label: '8k', width: 7680, height: 4320, channels: 3 }),
    grayscaleCase({ label: '8k', width: 7680, height: 4320, channels: 4 }),
  ];
}
