/**
 * The folders a worker may read and write. A job's paths come from whoever
 * can write to Redis, so each is resolved as the kernel would open it
 * (symlinks followed, folders that do not exist yet taken from their nearest
 * existing parent) and checked against the roots' real paths before
 * anything is created or written.
 */
import { realpathSync, statSync } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';

import { batchOutputError } from '../errors.js';
import { idOf, statOrUndefined } from '../files/batch-outputs.js';

// Links followed along one path at most, as the kernel's ELOOP bound.
const MAX_LINKS = 40;

export function pathNotAllowed(path: string, why: string): Error & { code: string } {
  return Object.assign(new Error(`${path}: ${why}`), { code: 'ERR_OFFLOOP_PATH_NOT_ALLOWED' });
}

/** The roots' real paths; a root that does not exist or is not a folder throws. */
export function realRoots(roots: unknown): string[] {
  if (!Array.isArray(roots) || roots.length === 0 || roots.some((root) => typeof root !== 'string' || root === '')) {
    throw Object.assign(
      new TypeError(
        'createWorker needs "roots": the folders its jobs may read and write (offloop worker --root DIR); a worker without them would write wherever a job says',
      ),
      { code: 'ERR_INVALID_ARG_TYPE' },
    );
  }
  return (roots as string[]).map((root) => {
    const real = realpathSync(root);
    if (!statSync(real).isDirectory())
      throw Object.assign(new TypeError(`The root '${root}' is not a folder`), { code: 'ERR_INVALID_ARG_VALUE' });
    return real;
  });
}

/**
 * Where `path` leads once every symlink is followed. Parts that do not exist
 * yet are kept as named after the real path of the part that does; a
 * dangling symlink is followed to where it points (creating through it would
 * land there).
 */
async function realDestination(path: string, links: number): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = dirname(path);
  if (parent === path) return path;
  let target: string | undefined;
  try {
    if ((await lstat(path)).isSymbolicLink()) target = await readlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR')
      throw error;
  }
  if (target !== undefined) {
    if (links >= MAX_LINKS)
      throw Object.assign(new Error(`${path}: too many levels of symbolic links`), { code: 'ELOOP' });
    return realDestination(resolve(parent, target), links + 1);
  }
  const realParent = await realDestination(parent, links);
  return realParent.endsWith(sep) ? realParent + basename(path) : realParent + sep + basename(path);
}

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Rejects with ERR_OFFLOOP_PATH_NOT_ALLOWED unless `path`, an absolute path
 * without `.` or `..` parts (the producer sends them so), leads inside one of
 * `roots` (real paths). Resolves with that real path.
 */
export async function checkAllowed(path: unknown, roots: readonly string[], role: 'input' | 'output'): Promise<string> {
  if (typeof path !== 'string' || !isAbsolute(path) || resolve(path) !== path) {
    // '..' after a symlink means the link's parent to the kernel, not the lexical one: refuse rather than guess.
    throw pathNotAllowed(String(path), `the job's ${role} must be an absolute path without '.' or '..' parts`);
  }
  const real = await realDestination(path, 0);
  if (!roots.some((root) => inside(real, root))) {
    throw pathNotAllowed(
      path,
      `the job's ${role}${real === path ? '' : ` (${real})`} is outside the worker's roots (${roots.join(', ')})`,
    );
  }
  return real;
}

/**
 * Rejects with ERR_OFFLOOP_OUTPUT_IS_INPUT when a job's output is its own
 * input: the same real path, or the same device and inode (a hard link).
 * The producer refuses such a file before queueing it; a job added to Redis
 * by other means is checked again here, since the queue has no in-place mode.
 */
export async function checkNotInput(
  input: { path: string; real: string },
  output: { path: string; real: string },
): Promise<void> {
  let same = input.real === output.real;
  if (!same) {
    const [inputStats, outputStats] = await Promise.all([statOrUndefined(input.path), statOrUndefined(output.path)]);
    same = inputStats !== undefined && outputStats !== undefined && idOf(inputStats) === idOf(outputStats);
  }
  if (same) {
    throw batchOutputError(
      'ERR_OFFLOOP_OUTPUT_IS_INPUT',
      input.path,
      `the job's output '${output.path}' is its input; a queued job never writes over its input`,
      output.path,
    );
  }
}
