/**
 * Which file is which in one batch (grayscaleFiles, submitFiles, the command
 * line), decided by identity and not by the strings given: a file is its
 * real path (symbolic links followed) and, once it exists, its device and
 * inode. Every input and every output of the batch is remembered, so that
 *
 * - no output is an input of the batch (its own, unless in place, or another
 *   one: seen already, named in advance, or an image in a folder the batch
 *   lists): ERR_OFFLOOP_OUTPUT_IS_INPUT;
 * - no two inputs write one output: the second gets
 *   ERR_OFFLOOP_OUTPUT_COLLISION, naming the first;
 * - a file the batch writes is never listed as an input, nor is anything
 *   under the output folder when it lies inside a listed folder.
 *
 * Checks run in the order entries are claimed (the order inputs are pulled),
 * one at a time, so "the first one stands" whatever the concurrency.
 */
// fs.promises is read at the call, not imported from node:fs/promises: that
// module (and readline, which it loads) would cost every import('offloop')
// a few ms of start-up, for functions only a files call uses.
import { type BigIntStats, promises as fsPromises } from 'node:fs';
import { basename, dirname, extname, join, parse, resolve, sep } from 'node:path';

import { batchOutputError } from '../errors.js';

/** What a batch does with one input and its output. */
export type OutputClaim =
  | { verdict: 'write' }
  /** The input is a file this batch writes: not an input, no result. */
  | { verdict: 'own' }
  | { verdict: 'refuse'; error: Error };

export interface BatchOutputsOptions {
  /** Outputs may be their own input (`inPlace`, `--in-place`). */
  inPlace: boolean;
  /** The output folder, if the batch has one: never listed as an input folder. */
  outDir: string | undefined;
}

/** The extensions a listed folder's images have (lowercased): what listing keeps. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.bmp',
]);

interface Located {
  /** Real path: symbolic links followed as far as the path exists, then the rest as given. */
  real: string;
  /** `dev:ino` when the path exists. */
  id: string | undefined;
  stats: BigIntStats | undefined;
}

/** Device and inode, read as bigints: an inode number may not fit a double's 53 bits. */
export function idOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

export async function statOrUndefined(path: string, follow = true): Promise<BigIntStats | undefined> {
  try {
    return await (follow ? fsPromises.stat(path, { bigint: true }) : fsPromises.lstat(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

/**
 * The real path of `path`, which need not exist: its longest existing
 * prefix resolved with realpath, then the remaining names as given.
 */
export async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const rest: string[] = [];
  let head = absolute;
  for (;;) {
    try {
      return join(await fsPromises.realpath(head), ...rest.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return absolute;
      rest.push(basename(head));
      head = parent;
    }
  }
}

/** True when `path` lies strictly inside `folder` (both real paths). */
function isInside(path: string, folder: string): boolean {
  const prefix = folder.endsWith(sep) ? folder : folder + sep;
  return path.startsWith(prefix);
}

export class BatchOutputs {
  readonly inPlace: boolean;
  private readonly outDir: string | undefined;
  /** Inputs by real path and by `dev:ino`: the input as given. */
  private readonly inputs = new Map<string, string>();
  /** Outputs by real path and by `dev:ino` (once written): the input that claimed it. */
  private readonly outputs = new Map<string, string>();
  /** Folders the batch lists (real paths), whose images are inputs before they are listed. */
  private readonly folders: Array<{ real: string; recursive: boolean; given: string }> = [];
  private outDirReal: Promise<string> | undefined;
  private outDirId: string | undefined;
  /** The claims so far, chained: each decides after the one before. */
  private last: Promise<unknown> = Promise.resolve();
  /** Real paths of the folders met, by absolute path: files of one folder resolve it once. */
  private readonly folderReals = new Map<string, Promise<string>>();

  constructor(options: BatchOutputsOptions) {
    this.inPlace = options.inPlace;
    this.outDir = options.outDir;
  }

  /**
   * Names an input of the batch before it is pulled: a folder the batch
   * lists (its images are inputs from now on) or a file.
   */
  async expect(path: string, kind: 'folder' | 'file', recursive = false): Promise<void> {
    const where = await this.locate(path);
    if (kind === 'folder') {
      if (!this.folders.some((folder) => folder.real === where.real && folder.recursive === recursive))
        this.folders.push({ real: where.real, recursive, given: path });
    } else this.addInput(where, path);
  }

  /**
   * Whether a folder met while listing is the output folder (or the same
   * folder by another path): its files are this batch's outputs, never
   * inputs. `real` is the folder's real path.
   */
  async isOutputFolder(real: string, stats: BigIntStats): Promise<boolean> {
    if (this.outDir === undefined) return false;
    this.outDirReal ??= realPathOf(this.outDir);
    if (real === (await this.outDirReal)) return true;
    if (this.outDirId === undefined) {
      const found = await statOrUndefined(this.outDir);
      if (found?.isDirectory()) this.outDirId = idOf(found);
    }
    return this.outDirId === idOf(stats);
  }

  /**
   * Decides what to do with `input` (listed from a folder when `listed`)
   * and its `output`, and remembers both. Claims are settled in the order
   * they are made.
   */
  claim(input: string, output: string, listed: boolean): Promise<OutputClaim> {
    // The file system is asked at once, for many claims in flight; only the
    // decisions wait for one another.
    const located = Promise.all([this.locate(input), this.locate(output)]);
    const settled = this.last.then(async () => {
      const [from, to] = await located;
      return this.decide(input, from, output, to, listed);
    });
    this.last = settled.catch(() => {});
    return settled;
  }

  /** After `output` was written: its new inode is this batch's too (another name for it collides). */
  async written(output: string, claimedBy: string): Promise<void> {
    const found = await statOrUndefined(output);
    if (found !== undefined) this.outputs.set(idOf(found), claimedBy);
  }

  /**
   * A path's real path and identity: a symbolic link is followed to its
   * target; any other file is its folder's real path (resolved once per
   * folder) and its name.
   */
  private async locate(path: string): Promise<Located> {
    const absolute = resolve(path);
    const own = await statOrUndefined(absolute, false);
    if (own?.isSymbolicLink()) {
      const [real, stats] = await Promise.all([realPathOf(absolute), statOrUndefined(absolute)]);
      return { real, id: stats === undefined ? undefined : idOf(stats), stats };
    }
    const folder = dirname(absolute);
    let folderReal = this.folderReals.get(folder);
    if (folderReal === undefined) {
      folderReal = realPathOf(folder);
      this.folderReals.set(folder, folderReal);
    }
    return {
      real: join(await folderReal, basename(absolute)),
      id: own === undefined ? undefined : idOf(own),
      stats: own,
    };
  }

  private addInput(where: Located, given: string): void {
    this.inputs.set(where.real, given);
    if (where.id !== undefined) this.inputs.set(where.id, given);
  }

  private find(map: Map<string, string>, where: Located): string | undefined {
    return map.get(where.real) ?? (where.id === undefined ? undefined : map.get(where.id));
  }

  /**
   * The folder listed by this batch whose listing includes the image at
   * `real`, if any: the file is in it (or below it, listed recursively) and
   * not under the output folder met inside it (which listing skips).
   */
  private async listedFolderOf(real: string): Promise<string | undefined> {
    if (!IMAGE_EXTENSIONS.has(extname(real).toLowerCase())) return undefined;
    const folder = parse(real).dir;
    for (const listed of this.folders) {
      if (folder !== listed.real && !(listed.recursive && isInside(folder, listed.real))) continue;
      if (this.outDir !== undefined) this.outDirReal ??= realPathOf(this.outDir);
      const outDir = this.outDirReal === undefined ? undefined : await this.outDirReal;
      const skipped =
        outDir !== undefined && isInside(outDir, listed.real) && (folder === outDir || isInside(folder, outDir));
      if (!skipped) return listed.given;
    }
    return undefined;
  }

  private async decide(
    input: string,
    from: Located,
    output: string,
    to: Located,
    listed: boolean,
  ): Promise<OutputClaim> {
    if (listed && this.find(this.outputs, from) !== undefined) return { verdict: 'own' };
    this.addInput(from, input);
    const same = from.real === to.real || (from.id !== undefined && from.id === to.id);
    if (same && !this.inPlace) {
      const reason = `the output '${output}' is this input itself; inputs are written over only in place (inPlace: true, --in-place)`;
      return { verdict: 'refuse', error: batchOutputError('ERR_OFFLOOP_OUTPUT_IS_INPUT', input, reason, output) };
    }
    if (!same) {
      // The output is an input of this batch: seen already, or an existing
      // image in a folder it lists (whether listed yet or not).
      let other = this.find(this.inputs, to);
      if (other === undefined && to.stats?.isFile() === true && this.find(this.outputs, to) === undefined) {
        if ((await this.listedFolderOf(to.real)) !== undefined) other = output;
      }
      if (other !== undefined) {
        const reason = `the output '${output}' is ${other === output ? 'an input' : `the input '${other}'`} of this batch; it is not written over`;
        return {
          verdict: 'refuse',
          error: batchOutputError('ERR_OFFLOOP_OUTPUT_IS_INPUT', input, reason, output, other),
        };
      }
    }
    const claimedBy = this.find(this.outputs, to);
    if (claimedBy !== undefined) {
      const reason = `the output '${output}' is already written by the input '${claimedBy}' of this batch`;
      return {
        verdict: 'refuse',
        error: batchOutputError('ERR_OFFLOOP_OUTPUT_COLLISION', input, reason, output, claimedBy),
      };
    }
    this.outputs.set(to.real, input);
    if (to.id !== undefined) this.outputs.set(to.id, input);
    return { verdict: 'write' };
  }
}
