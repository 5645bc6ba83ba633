// Forcing a call onto one path (JS kernel, native inline, pool) through the
// runner's thresholds, whatever its size.
import { sizeThresholds } from '../lib/runner.js';

export const PATHS = ['js', 'inline', 'pool'] as const;
export type Path = (typeof PATHS)[number];

const DEFAULTS = { ...sizeThresholds };
const ALWAYS = Number.MAX_SAFE_INTEGER;
const NEVER = -1;

/** The thresholds of each path (plain numbers, so that a child process can take them as JSON). */
export const PATH_SETTINGS: Record<Path, typeof sizeThresholds> = {
  // Every call in JS.
  js: { jsItems: ALWAYS, inlineSquares: ALWAYS, inlineSum: ALWAYS, inlinePixels: ALWAYS },
  // Native on the calling thread (async calls too; several chunks still use the pool threads).
  inline: { jsItems: NEVER, inlineSquares: ALWAYS, inlineSum: ALWAYS, inlinePixels: ALWAYS },
  // Async calls as pool jobs; sync calls natively (they always wait for the pool).
  pool: { jsItems: NEVER, inlineSquares: NEVER, inlineSum: NEVER, inlinePixels: NEVER },
};

export function usePath(path: Path): void {
  Object.assign(sizeThresholds, PATH_SETTINGS[path]);
}

export function resetPaths(): void {
  Object.assign(sizeThresholds, DEFAULTS);
}
