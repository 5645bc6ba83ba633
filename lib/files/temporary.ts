/**
 * The names of the temporary files an output is written through (native/
 * files/file_io.h, TemporaryStem): `<stem>.<16 hex digits>.offloop-tmp` in
 * the output's folder, the stem being `.` + the output's name, or, when that
 * would not fit in 255 bytes, `.` + the name's first bytes (cut at a UTF-8
 * character boundary) + `~` + 16 hex digits of the FNV-1a 64 hash of the
 * whole name. A temporary name belongs to exactly one output name, so a
 * cleanup of `a.jpg`'s never touches `a.jpg.jpg`'s.
 */
import { basename } from 'node:path';

const NAME_MAX = 255;
/** `.` + 16 hex digits + `.offloop-tmp` */
const SUFFIX_BYTES = 29;
/** `~` + 16 hex digits */
const HASH_BYTES = 17;
const SUFFIX = /^\.[0-9a-f]{16}\.offloop-tmp$/;

function fnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

/** The stem of the temporary files of an output named `name` (a file name, no folder), as UTF-8 bytes. */
export function temporaryStem(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (1 + bytes.length + SUFFIX_BYTES <= NAME_MAX) return Buffer.concat([Buffer.from('.'), bytes]);
  let keep = NAME_MAX - SUFFIX_BYTES - HASH_BYTES - 1;
  while (keep > 0 && (bytes[keep]! & 0xc0) === 0x80) keep--;
  const hash = `~${fnv1a64(bytes).toString(16).padStart(16, '0')}`;
  return Buffer.concat([Buffer.from('.'), bytes.subarray(0, keep), Buffer.from(hash)]);
}

/**
 * Whether the folder entry `entry` (a name, as `readdir` lists it) is a
 * temporary file of the output `output` (a path; only its base name counts,
 * the entry is taken to be in the same folder).
 */
export function isTemporaryOf(output: string, entry: string): boolean {
  const stem = temporaryStem(basename(output));
  const bytes = Buffer.from(entry, 'utf8');
  return (
    bytes.length === stem.length + SUFFIX_BYTES &&
    bytes.subarray(0, stem.length).equals(stem) &&
    SUFFIX.test(bytes.subarray(stem.length).toString('latin1'))
  );
}
