/**
 * The inputs of grayscaleFiles: a directory listed lazily (opendir, symlinks
 * followed once, loops detected by real path) or any sync/async iterable of
 * items; and where each input's output goes.
 */
// fs.promises is read at the call, not imported from node:fs/promises: that
// module (and readline, which it loads) would cost every import('offloop')
// a few ms of start-up, for functions only a files call uses.
import { type BigIntStats, type Dir, promises as fsPromises } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { IMAGE_EXTENSIONS, type BatchOutputs } from './batch-outputs.js';
import { formatOfExtension, sameFormatForName } from './input.js';
import type { FileSettings } from './settings.js';

/** One input as the scheduler sees it: the item as given, with what naming needs. */
export interface BatchEntry {
  /** The item as given (a path, a URL, a pair, or anything for a bad item). */
  item: unknown;
  /** The path relative to the listed directory; undefined when not from a listing. */
  relativePath?: string;
  /** Why a folder inside the listing could not be listed: a result, not the batch's end. */
  listingError?: Error;
}

/**
 * Lists `root`'s image files (by extension, case-insensitive), depth first,
 * each directory's real path visited once, the batch's output folder never
 * (by identity: symbolic links followed). A folder inside that cannot be
 * listed (permissions, removed meanwhile) is an entry with its error, and
 * the listing goes on; only `root` itself failing ends it.
 */
async function* listDirectory(root: string, recursive: boolean, outputs: BatchOutputs): AsyncGenerator<BatchEntry> {
  const seen = new Set<string>([await fsPromises.realpath(root)]);
  const pending: string[] = [root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let dir: Dir;
    try {
      dir = await fsPromises.opendir(folder);
    } catch (error) {
      if (folder === root) throw error;
      yield { item: folder, relativePath: relative(root, folder), listingError: error as Error };
      continue;
    }
    // for await closes the Dir when the loop ends, breaks or throws.
    for await (const dirent of dir) {
      const path = join(folder, dirent.name);
      let isDirectory = dirent.isDirectory();
      let isFile = dirent.isFile();
      if (dirent.isSymbolicLink()) {
        try {
          const target = await fsPromises.stat(path);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue; // a dangling link
        }
      }
      if (isDirectory) {
        if (!recursive) continue;
        let real: string;
        let info: BigIntStats;
        try {
          [real, info] = await Promise.all([fsPromises.realpath(path), fsPromises.stat(path, { bigint: true })]);
        } catch (error) {
          yield { item: path, relativePath: relative(root, path), listingError: error as Error };
          continue;
        }
        if (seen.has(real)) continue; // a loop, or a folder reached twice
        seen.add(real);
        if (await outputs.isOutputFolder(real, info)) continue;
        pending.push(path);
      } else if (isFile && IMAGE_EXTENSIONS.has(extname(dirent.name).toLowerCase())) {
        yield { item: path, relativePath: relative(root, path) };
      }
    }
  }
}

/** The directory path `inputs` names, or undefined when it is a list. */
async function directoryOf(inputs: string | URL): Promise<string | undefined> {
  const path = typeof inputs === 'string' ? inputs : fileURLToPath(inputs);
  const info = await fsPromises.stat(path);
  return info.isDirectory() ? path : undefined;
}

/**
 * The entries of `inputs`, pulled one at a time. A string or URL is listed
 * when it is a directory (never entering the output folder `outputs`
 * knows), else it is one file. The caller must call return() to stop early
 * (a source iterator's return() is then called).
 */
export async function* batchEntries(
  inputs: unknown,
  recursive: boolean,
  outputs: BatchOutputs,
): AsyncGenerator<BatchEntry> {
  if (typeof inputs === 'string' || inputs instanceof URL) {
    const dir = await directoryOf(inputs);
    if (dir !== undefined) {
      await outputs.expect(dir, 'folder', recursive);
      yield* listDirectory(dir, recursive, outputs);
    } else yield { item: inputs };
    return;
  }
  for await (const item of inputs as AsyncIterable<unknown>) yield { item };
}

const EXTENSION_OF = { jpeg: '.jpg', png: '.png', webp: '.webp' } as const;

/**
 * The default output of `input` under `outDir`: same relative path,
 * extension changed only when `format` names another format (with 'same',
 * a TIFF, GIF or BMP name becomes .png: what is written). In place, pass
 * the input's own folder: the input's path, or its name with the new
 * extension beside it (as `mogrify -format` writes).
 */
export function outputUnder(
  outDir: string,
  input: string,
  relativePath: string | undefined,
  format: FileSettings['format'],
): string {
  let name = relativePath ?? basename(input);
  const written = format === 'same' ? sameFormatForName(name) : format;
  if (written !== undefined && formatOfExtension(name) !== written) {
    name = join(dirname(name), basename(name, extname(name)) + EXTENSION_OF[written]);
  }
  return join(outDir, name);
}
