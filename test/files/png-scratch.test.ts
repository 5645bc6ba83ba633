import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { features } from '../../lib/index.js';

import { runFixture } from '../helpers.js';
import { encodeRgbPng, photoLikeRgb } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'offloop-png-scratch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a PNG inflated whole', () => {
  it('takes its raw rows from the result page cache and returns them after the file', () => {
    // 1500 x 1000 RGB: 4,501,000 bytes of raw rows (pages), 1,500,000 gray (malloc).
    const input = join(dir, 'rgb.png');
    writeFileSync(input, encodeRgbPng(photoLikeRgb(1500, 1000, 7), 1500, 1000));
    const run = runFixture('png-scratch-pages.mjs', [input, join(dir, 'gray.png')], ['--expose-gc']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { max, live, cached } = JSON.parse(run.stdout) as Record<string, number>;
    expect(live).toBe(0);
    // Only a libdeflate build inflates whole; where offloop maps no pages, nothing is cached.
    if (max > 0 && features().codecs.deflate.library === 'libdeflate') expect(cached).toBe(1);
  });
});
