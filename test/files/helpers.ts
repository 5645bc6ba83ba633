// Shared by the image-file tests: the Pillow fixtures and their manifests,
// temporary folders, and large generated images.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

import { ROOT, rng } from '../helpers.js';

export const IMAGES = join(ROOT, 'test/fixtures/images');

export interface DecodeCase {
  file: string;
  kind: string;
  format: 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'bmp';
  width: number;
  height: number;
  exact: string;
  luma: string | null;
  /** [length, Pillow's verdict on the file cut there: "err" or the FNV-1a 64 of its pixels]. */
  truncated: Array<[number, string]>;
}

export interface EncodeCase {
  source: string;
  width: number;
  height: number;
  format: 'jpeg' | 'png';
  quality?: number;
  compress_level?: number;
  file: string;
  decoded: string;
}

export interface CorruptCase {
  corrupt: string;
  kind: string;
  verdict: string;
}

export interface OrientCase {
  file: string;
  format: 'jpeg' | 'png';
  orientation: number;
  width: number;
  height: number;
  exact: string;
  oriented: string;
  orientedWidth: number;
  orientedHeight: number;
  luma?: string;
  lumaOriented?: string;
}

export const manifest = JSON.parse(readFileSync(join(IMAGES, 'manifest.json'), 'utf8')) as {
  decode: DecodeCase[];
  encode: EncodeCase[];
  corrupt: CorruptCase[];
};

export const orientManifest = JSON.parse(readFileSync(join(IMAGES, 'orient/manifest.json'), 'utf8')) as {
  orient: OrientCase[];
};

/** Where the orientation comes from (orient-sources/): what Pillow 9.4's getexif() and exif_transpose make of each file. */
export interface OrientSourceCase {
  file: string;
  format: 'jpeg' | 'png';
  /** getexif().get(0x0112) when it is (equal to) 1..8, else 0. */
  orientation: number;
  /** Pillow's value, as Python's repr. */
  pillowValue: string;
  oriented: string;
  orientedWidth: number;
  orientedHeight: number;
}

export const orientSourcesManifest = JSON.parse(readFileSync(join(IMAGES, 'orient-sources/manifest.json'), 'utf8')) as {
  sources: OrientSourceCase[];
};

/** Absolute path of a fixture named as in the manifests. */
export function fixture(rel: string): string {
  return join(IMAGES, rel);
}

export function readFixture(rel: string): Buffer {
  return readFileSync(fixture(rel));
}

/** FNV-1a 64 of the bytes, as hex: the manifest's verdict hashes. */
export function fnv1a64(bytes: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** Where two byte arrays first differ, for a readable failure; undefined when equal. */
export function firstDifference(actual: Uint8Array, expected: Uint8Array): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) return `byte ${i}: ${actual[i]}, expected ${expected[i]}`;
  }
  return undefined;
}

/** A fresh temporary folder; `cleanup()` removes it. */
export function tempFolder(prefix = 'offloop-files-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A folder's entries, sorted: what tests compare to make sure no temporary file is left. */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}

function crc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}
const CRC_TABLE = crc32Table();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * A photo-like RGB picture (gradients, soft waves and noise), row after row:
 * `width * height * 3` bytes.
 */
export function photoLikeRgb(width: number, height: number, seed: number): Uint8Array {
  const next = rng(seed);
  const rgb = new Uint8Array(width * height * 3);
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const wave = 40 * Math.sin(x / 37 + seed) * Math.cos(y / 23);
      const noise = (next() - 0.5) * 24;
      rgb[i++] = Math.max(0, Math.min(255, (x * 255) / width + wave + noise));
      rgb[i++] = Math.max(0, Math.min(255, (y * 255) / height - wave + noise));
      rgb[i++] = Math.max(0, Math.min(255, 128 + wave + noise));
    }
  }
  return rgb;
}

/**
 * An 8-bit RGB PNG of `rgb` (filter None, zlib level 1): a quick way to make
 * large inputs without an image library.
 */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number, exifOrientation?: number): Buffer {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 3 + 1)] = 0;
    rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    exifOrientation === undefined ? Buffer.alloc(0) : pngChunk('eXIf', exifWithOrientation(exifOrientation)),
    pngChunk('IDAT', deflateSync(rows, { level: 1 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A little-endian TIFF header and IFD0 holding only the Orientation tag: an eXIf chunk's body. */
export function exifWithOrientation(orientation: number): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  return tiff;
}

/** An 8-bit gray PNG of `gray` (filter None, zlib level 1): decodes back to exactly these bytes. */
export function encodeGrayPng(gray: Uint8Array, width: number, height: number): Buffer {
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(gray.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows, { level: 1 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A PNG's IHDR: size, bit depth, colour type, interlace. */
export function pngHeader(png: Uint8Array): {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
} {
  const view = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (view.readUInt32BE(12) !== 0x49484452) throw new Error('not a PNG with IHDR first');
  return {
    width: view.readUInt32BE(16),
    height: view.readUInt32BE(20),
    bitDepth: view[24]!,
    colorType: view[25]!,
    interlace: view[28]!,
  };
}

/** A JPEG's frame header: size and number of components (and whether progressive). */
export function jpegHeader(jpeg: Uint8Array): {
  width: number;
  height: number;
  components: number;
  progressive: boolean;
} {
  let i = 2;
  while (i + 4 < jpeg.length) {
    if (jpeg[i] !== 0xff) throw new Error(`no marker at ${i}`);
    const marker = jpeg[i + 1]!;
    const length = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return {
        height: (jpeg[i + 5]! << 8) | jpeg[i + 6]!,
        width: (jpeg[i + 7]! << 8) | jpeg[i + 8]!,
        components: jpeg[i + 9]!,
        progressive: marker === 0xc2,
      };
    }
    i += 2 + length;
  }
  throw new Error('no frame header');
}

/** Writes a photo-like RGB PNG of the given size to `path`. */
export function writeLargePng(path: string, width: number, height: number, seed = 1): void {
  writeFileSync(path, encodeRgbPng(photoLikeRgb(width, height, seed), width, height));
}

/** The gray pixels of `rgb` as Pillow's convert('L') computes them. */
export function pillowL(rgb: Uint8Array): Uint8Array {
  const gray = new Uint8Array(rgb.length / 3);
  for (let i = 0, o = 0; o < gray.length; i += 3, o++)
    gray[o] = (rgb[i]! * 19595 + rgb[i + 1]! * 38470 + rgb[i + 2]! * 7471 + 0x8000) >>> 16;
  return gray;
}

/** Every file under `dir`, relative, sorted. */
export function listAll(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

/** Every item of an async iterable (a batch's results), in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
