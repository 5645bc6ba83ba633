/** What the command line says when it is used wrongly, and its help. */

/** A mistake in the command line itself: exit code 2, the message and the usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = 'usage: offloop gray <files or dirs...> -o <dir> [options] | offloop info [--json] | offloop worker --redis <url> | offloop queue status --redis <url> | offloop --help | --version';

export const HELP = `offloop: CPU-heavy image work on a native thread pool.

${USAGE}

offloop gray <files or dirs...> -o <dir>
  Turns JPEG and PNG photos gray (Pillow's convert('L'), bit for bit) and
  writes them under <dir>: a directory's files keep their path relative to it,
  a file given by name keeps its base name.
  -o, --out-dir <dir>       where outputs go (required)
  --format same|jpeg|png    output format (default: same as the input)
  --quality <1-100>         JPEG quality (default 75)
  --compression <0-9>       PNG compression level (default 6)
  --mode exact|luma         exact: Pillow's pixels; luma: a JPEG's Y plane, faster
  --auto-orient             apply the EXIF orientation
  --limit-input-pixels <n>  refuse larger images (0: no limit)
  --threads <n>             pool threads (default: the CPUs this process may use)
  --concurrency <n>         files in flight (default: threads + 2)
  -r, --recursive           include subfolders of directories
  --skip-existing           skip inputs whose output exists (resume a batch)
  --ordered                 report in input order (default: as files complete)
  --json                    one JSON object per file, then a summary object
  -q, --quiet               print only failures and the summary

  --redis <url>             submit to the Redis queue's workers instead (offloop/queue;
                            paths must be on storage every worker sees)
  --queue <name>            the queue's name (default offloop)

offloop info [--json]
  The binary, SIMD path, codecs and pool size in use.

offloop worker --redis <url> [--queue name] [--threads N] [--concurrency N]
  This machine's pool as a worker of the queue. SIGINT/SIGTERM: finish the
  files in flight and stop; a second signal aborts them (they are retried).

offloop queue status --redis <url> [--queue name] [--json]
  Waiting, active, delayed, completed and failed job counts.

Exit codes: 0 all files done, 1 some failed, 2 usage error,
130 interrupted (SIGINT), 143 terminated (SIGTERM).`;
