// Shared test helpers: seeded random inputs of every supported type, and a
// way to run a fixture script in a child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NUMBER_ARRAY_TYPES = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
] as const;

/** Random values spanning each type's whole range, plus float specials. */
export function randomArray(Type: (typeof NUMBER_ARRAY_TYPES)[number], length: number, seed: number) {
  const next = rng(seed);
  const array = new Type(length);
  const isFloat = Type === Float32Array || Type === Float64Array;
  for (let i = 0; i < length; i++) {
    if (isFloat) {
      const r = next();
      array[i] =
        r < 0.01
          ? [NaN, Infinity, -Infinity, -0, 1e200, -1e-300][i % 6]
          : (next() - 0.5) * 10 ** Math.floor(next() * 20 - 5);
    } else {
      array[i] = Math.floor(next() * 2 ** 32) - 2 ** 31;
    }
  }
  return array;
}

export function randomBytes(length: number, seed: number): Uint8Array {
  const next = rng(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = next() * 256;
  return bytes;
}

/** Runs `node [flags] test/fixtures/<name>` and returns its exit code and output. */
export function runFixture(name: string, args: string[] = [], flags: string[] = [], timeoutMs = 60_000) {
  const result = spawnSync(
    process.execPath,
    [...flags, fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: timeoutMs,
    },
  );
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    error: result.error,
  };
}

/**
 * Element-wise equality with Object.is (NaN equals NaN, -0 differs from +0).
 * vitest's toEqual is far too slow for arrays of millions of elements.
 */
export function expectSameValues(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}
