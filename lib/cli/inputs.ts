/**
 * The command line's inputs (files and directories, any number) as one
 * stream of batch entries, each with its output under the output folder:
 * a directory's files keep their path relative to it, a named file keeps
 * its base name.
 */
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

import { batchEntries, outputUnder, type BatchEntry } from '../files/batch-inputs.js';

export type OutputFormat = 'same' | 'jpeg' | 'png';

export async function* cliEntries(args: readonly string[], outDir: string, recursive: boolean, format: OutputFormat): AsyncGenerator<BatchEntry> {
  // Outputs written inside a listed folder must not become inputs.
  const outPrefix = resolve(outDir) + sep;
  for (const arg of args) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(arg)).isDirectory();
    } catch (error) {
      yield { item: arg, listingError: error as Error };
      continue;
    }
    if (!isDirectory) {
      yield { item: { input: arg, output: outputUnder(outDir, arg, undefined, format) } };
      continue;
    }
    for await (const entry of batchEntries(arg, recursive)) {
      const path = entry.item as string;
      if (entry.listingError !== undefined) yield entry;
      else if (!resolve(path).startsWith(outPrefix)) {
        yield { item: { input: path, output: outputUnder(outDir, path, entry.relativePath, format) } };
      }
    }
  }
}

/** How many entries cliEntries will give (a second listing, for the progress bar's total). */
export async function countEntries(args: readonly string[], outDir: string, recursive: boolean, signal: AbortSignal): Promise<number> {
  let count = 0;
  for await (const _ of cliEntries(args, outDir, recursive, 'same')) {
    if (signal.aborted) break;
    count++;
  }
  return count;
}

/** True when every argument is a file (or missing): the total is known at once. */
export async function allFiles(args: readonly string[]): Promise<boolean> {
  for (const arg of args) {
    try {
      if ((await stat(arg)).isDirectory()) return false;
    } catch {
      // a missing input is one failed result
    }
  }
  return true;
}
