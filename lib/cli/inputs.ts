/**
 * The command line's inputs (files and directories, any number) as one
 * stream of batch entries, each with its output: under the output folder (a
 * directory's files keep their path relative to it, a named file keeps its
 * base name) or, in place, beside the input.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { batchEntries, outputUnder, type BatchEntry } from '../files/batch-inputs.js';
import { BatchOutputs } from '../files/batch-outputs.js';

export type OutputFormat = 'same' | 'jpeg' | 'png' | 'webp';

/** Where outputs go: `outDir`, or beside each input when it is undefined (`--in-place`). */
export interface CliTarget {
  outDir: string | undefined;
  recursive: boolean;
  format: OutputFormat;
}

/** The batch's record of its files (see BatchOutputs), for a target. */
export function cliOutputs(target: CliTarget): BatchOutputs {
  return new BatchOutputs({ inPlace: target.outDir === undefined, outDir: target.outDir });
}

function outputOf(target: CliTarget, input: string, relativePath: string | undefined): string {
  if (target.outDir === undefined) return outputUnder(dirname(input), input, undefined, target.format);
  return outputUnder(target.outDir, input, relativePath, target.format);
}

/**
 * The entries of the command line's inputs. Every argument is named to
 * `outputs` first, so that no output lands on an input whose turn has not
 * come yet. `onEmpty(dir)` hears of a directory that held no image.
 */
export async function* cliEntries(
  args: readonly string[],
  target: CliTarget,
  outputs: BatchOutputs,
  onEmpty?: (dir: string) => void,
): AsyncGenerator<BatchEntry> {
  const kinds: Array<'folder' | 'file' | Error> = [];
  for (const arg of args) {
    try {
      const kind = (await stat(arg)).isDirectory() ? 'folder' : 'file';
      await outputs.expect(arg, kind, target.recursive);
      kinds.push(kind);
    } catch (error) {
      kinds.push(error as Error);
    }
  }
  for (const [index, arg] of args.entries()) {
    const kind = kinds[index]!;
    if (kind instanceof Error) {
      yield { item: arg, listingError: kind };
      continue;
    }
    if (kind === 'file') {
      yield { item: { input: arg, output: outputOf(target, arg, undefined) } };
      continue;
    }
    let images = 0;
    for await (const entry of batchEntries(arg, target.recursive, outputs)) {
      if (entry.listingError !== undefined) {
        yield entry;
        continue;
      }
      images++;
      const path = entry.item as string;
      yield {
        item: { input: path, output: outputOf(target, path, entry.relativePath) },
        relativePath: entry.relativePath,
      };
    }
    if (images === 0) onEmpty?.(arg);
  }
}

/** How many entries cliEntries will give (a second listing, for the progress bar's total). */
export async function countEntries(args: readonly string[], target: CliTarget, signal: AbortSignal): Promise<number> {
  let count = 0;
  for await (const _ of cliEntries(args, target, cliOutputs(target))) {
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
