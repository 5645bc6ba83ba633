// Which C library this Linux process runs on, for the loader's choice
// between offloop.glibc.node and offloop.musl.node (./binding.ts).
import { readFileSync } from 'node:fs';

export type Libc = 'glibc' | 'musl';

export type ReportHeader = { glibcVersionRuntime?: string } | undefined;

// Matched against whole lines, at their ends: a mapping's path is its line's
// last field (then " (deleted)" when the file was replaced since). The kernel
// shows a mapped file's real path, so a symlink's target is what appears:
// Alpine's /lib/ld-musl-<arch>.so.1 itself, Debian's musl package's
// /usr/lib/<arch>-linux-musl/libc.so (its /lib/ld-musl-<arch>.so.1 links
// there). glibc before 2.34 names its files libc-2.<minor>.so and
// ld-2.<minor>.so; its loader is ld-linux-<arch>.so.<n> (x86-64 .so.2,
// aarch64 .so.1, armhf .so.3).
const MUSL_MAPPING =
  /(?:\/ld-musl-[^/\s]+\.so\.1|\/libc\.musl-[^/\s]+\.so\.1|-linux-musl\/libc\.so)(?: \(deleted\))?$/m;
const GLIBC_MAPPING = /\/(?:libc\.so\.6|libc-2\.\d+\.so|ld-linux-[^/\s]+\.so\.\d|ld-2\.\d+\.so)(?: \(deleted\))?$/m;

/**
 * The C library named by a process's memory mappings (/proc/<pid>/maps
 * text), or undefined when none is (a static binary, an unknown layout).
 * musl wins over glibc: a musl process can map files under glibc's names
 * (Alpine's gcompat, scripts/musl-glibc-shim.c under Bun's musl build, both
 * named ld-linux-x86-64.so.2), while glibc's processes never map musl.
 */
export function libcFromMaps(maps: string): Libc | undefined {
  if (MUSL_MAPPING.test(maps)) return 'musl';
  if (GLIBC_MAPPING.test(maps)) return 'glibc';
  return undefined;
}

/**
 * The C library a diagnostic report's header implies: glibc's processes
 * (Node's and Bun's alike) report its version there, musl's report none; no
 * header, no answer.
 */
export function libcFromReport(header: ReportHeader): Libc | undefined {
  if (header === undefined) return undefined;
  return header.glibcVersionRuntime ? 'glibc' : 'musl';
}

function readProcMaps(): string | undefined {
  try {
    return readFileSync('/proc/self/maps', 'latin1');
  } catch {
    // (No /proc, or a runtime that denies the read: the report answers.)
    return undefined;
  }
}

export function reportHeader(): ReportHeader {
  // (excludeNetwork: Node 20.13 and later, not yet in @types/node 20.)
  const report = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined;
  if (!report) return undefined;
  // (The network interfaces are the slow part of a report, and not needed.)
  const excludeNetwork = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    return (report.getReport() as { header?: ReportHeader }).header;
  } finally {
    report.excludeNetwork = excludeNetwork;
  }
}

/**
 * The C library this Linux process runs on: from its own mappings, else
 * from its diagnostic report, else undefined (then node-gyp-build's guess
 * stands). The report is the slow way: a median of 20 ms of a fresh
 * process's time against 0.85 ms for the mappings (20 fresh Node 22
 * processes each, on a busy 2-core machine, 2026-12-02). node-gyp-build
 * asks the file system instead (/etc/alpine-release), which is wrong for a
 * musl system other than Alpine and for a glibc Node in an Alpine container.
 */
export function processLibc(
  readMaps: () => string | undefined = readProcMaps,
  readHeader: () => ReportHeader = reportHeader,
): Libc | undefined {
  const maps = readMaps();
  return (maps === undefined ? undefined : libcFromMaps(maps)) ?? libcFromReport(readHeader());
}
