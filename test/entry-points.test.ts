import { describe, expect, it } from 'vitest';

import { runFixture } from './helpers.js';

describe('package entry points', () => {
  it('import and require share one instance with the same exports', () => {
    const run = runFixture('dual.mjs');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split(',')).toEqual(
      expect.arrayContaining([
        'default',
        'computeSquares',
        'computeSquaresSync',
        'sumOfSquares',
        'sumOfSquaresSync',
        'grayscale',
        'grayscaleSync',
        'setConcurrency',
        'getConcurrency',
        'poolStats',
        'features',
      ]),
    );
  });
});
