// A range's sum in parts computed apart (offloop/queue's range sums): the
// blocks of the parts, folded in index order, give the bits of the local
// sumOfSquares, whatever the part sizes, the order they finish in and the
// pool size.
import { afterAll, describe, expect, it } from 'vitest';

import { getConcurrency, setConcurrency, sumOfSquares } from '../lib/index.js';
import { SUM_BLOCK, sumSquaresPartsOfRange } from '../lib/js/sum.js';
import { foldSumBlocks, foldSumBlocksParts, MAX_BLOCKS_PART, sumOfSquaresBlocks } from '../lib/kernels/sum-blocks.js';
import { rng } from './helpers.js';

const initialConcurrency = getConcurrency();
afterAll(() => setConcurrency(initialConcurrency));

// Parts of [from, to] cut on the whole range's block boundaries, `blocksPerPart` blocks each.
function parts(from: number, to: number, blocksPerPart: number): { from: number; to: number }[] {
  const out = [];
  for (let start = from; start <= to; start += blocksPerPart * SUM_BLOCK) {
    out.push({ from: start, to: Math.min(to, start + blocksPerPart * SUM_BLOCK - 1) });
  }
  return out;
}

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b);
}

describe('sumOfSquaresBlocks', () => {
  const ranges = [
    { from: 1, to: 1_000_000 },
    { from: 2 ** 32 - 3 * SUM_BLOCK - 5, to: 2 ** 32 + 5 * SUM_BLOCK + 17 }, // crosses 2^32
    { from: -7_654_321, to: 1_234_567 }, // negative and positive
    { from: 94_906_265 - 40 * SUM_BLOCK, to: 94_906_265 + 3 }, // squares past 2^53
    { from: 5, to: 5 }, // one integer
    { from: 1, to: SUM_BLOCK }, // exactly one block
    { from: 2 ** 40 - 5, to: 2 ** 40 + 30 * SUM_BLOCK }, // large squares: order-sensitive low bits
  ];

  it('gives one (hi, lo) pair a block, each the block alone', async () => {
    const { from, to } = ranges[1];
    const pairs = await sumOfSquaresBlocks({ from, to });
    const blocks = Math.ceil((to - from + 1) / SUM_BLOCK);
    expect(pairs).toBeInstanceOf(Float64Array);
    expect(pairs.length).toBe(2 * blocks);
    for (const k of [0, 3, blocks - 1]) {
      const start = from + k * SUM_BLOCK;
      const alone = sumSquaresPartsOfRange(start, Math.min(SUM_BLOCK, to - start + 1));
      expect([pairs[2 * k], pairs[2 * k + 1]]).toEqual([alone.hi, alone.lo]);
    }
  });

  for (const { from, to } of ranges) {
    it(`parts of ${from}..${to} fold to the local sum's bits, in any finishing order and pool size`, async () => {
      const local = await sumOfSquares({ from, to });
      const whole = sumSquaresPartsOfRange(from, to - from + 1);
      const random = rng(from >>> 0);
      for (const [threads, blocksPerPart] of [
        [1, 1],
        [2, 3],
        [5, 7],
        [3, 1000],
      ] as const) {
        setConcurrency(threads);
        const cuts = parts(from, to, blocksPerPart);
        // Started together, finishing in whatever order the pool gives;
        // also awaited in a shuffled order, then put back in index order.
        const order = cuts.map((_, i) => i).sort(() => random() - 0.5);
        const pending = cuts.map((part) => sumOfSquaresBlocks(part));
        const results: Float64Array[] = [];
        for (const i of order) results[i] = await pending[i];
        const what = `${threads} threads, ${blocksPerPart} blocks a part`;
        expect(sameBits(foldSumBlocks(results), local), what).toBe(true);
        // The unrounded (hi, lo) too: far more sensitive to the order of the fold.
        expect(foldSumBlocksParts(results), what).toEqual(whole);
      }
    });
  }

  it('an empty fold is 0; blocks folded out of index order give other (hi, lo) bits', async () => {
    expect(foldSumBlocks([])).toBe(0);
    const from = 2 ** 40;
    const results = await Promise.all(
      parts(from, from + 64 * SUM_BLOCK - 1, 1).map((part) => sumOfSquaresBlocks(part)),
    );
    const inOrder = foldSumBlocksParts(results);
    expect(inOrder).toEqual(sumSquaresPartsOfRange(from, 64 * SUM_BLOCK));
    // So the in-order comparisons above can fail: a shuffled fold differs.
    const random = rng(9);
    let differs = false;
    for (let i = 0; i < 50 && !differs; i++) {
      const shuffled = foldSumBlocksParts([...results].sort(() => random() - 0.5));
      differs = shuffled.hi !== inOrder.hi || shuffled.lo !== inOrder.lo;
    }
    expect(differs).toBe(true);
  });

  it('rejects what is not a range, ranges too long for one part, and aborts', async () => {
    await expect(sumOfSquaresBlocks(new Float64Array(4))).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await expect(sumOfSquaresBlocks({ from: 1, to: MAX_BLOCKS_PART + 1 })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(sumOfSquaresBlocks({ from: 1.5, to: 3 })).rejects.toMatchObject({ name: 'RangeError' });
    await expect(
      sumOfSquaresBlocks({ from: 1, to: 10 }, { signal: AbortSignal.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
    const controller = new AbortController();
    const long = sumOfSquaresBlocks({ from: 1, to: MAX_BLOCKS_PART }, { signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(long).rejects.toThrow('stopped');
  });
});
