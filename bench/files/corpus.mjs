// The files benchmark's corpus: real photographic wallpapers from Debian
// packages (fetched with `apt-get download`, unpacked with `dpkg-deb -x`, no
// root needed), scaled with sharp to 8-10 megapixels: at least 30 JPEGs and
// 9 PNGs, and the PNGs again as LZW TIFFs (as a scanner or an archive writes
// them: RGB strips, no predictor), made from them with sharp once. Where apt
// is unavailable, generated photo-like images instead; the report says which
// ran. Built once into ~/.cache/offloop-bench-corpus.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';

import sharp from 'sharp';

import { samplePhotos } from '../../examples/sample-photos.mjs';

// Packages whose large images are photographs and rendered art (real image
// content, not noise). Their licences are read from each package's copyright
// file into the report. (gnome-backgrounds ships WebP, which offloop does not read.)
const PACKAGES = ['plasma-workspace-wallpapers', 'ukui-wallpapers'];
const VERSION = 1; // bump when the selection or scaling changes
const TARGET_PIXELS = 9e6;
const MIN_SOURCE_PIXELS = 8e6;

export const CACHE = join(
  process.env.OFFLOOP_CORPUS_DIR ?? join(homedir(), '.cache', 'offloop-bench-corpus'),
  `v${VERSION}`,
);

function log(message) {
  console.error(`corpus: ${message}`);
}

function fetchPackages(dir) {
  mkdirSync(dir, { recursive: true });
  const download = spawnSync('apt-get', ['download', ...PACKAGES], { cwd: dir, encoding: 'utf8' });
  if (download.status !== 0) return undefined;
  const root = join(dir, 'root');
  for (const deb of readdirSync(dir).filter((name) => name.endsWith('.deb'))) {
    const unpack = spawnSync('dpkg-deb', ['-x', deb, root], { cwd: dir, encoding: 'utf8' });
    if (unpack.status !== 0) return undefined;
  }
  return { root, debs: readdirSync(dir).filter((name) => name.endsWith('.deb')) };
}

function imagesUnder(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(jpe?g|png)$/i.test(entry.name)) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Each distinct large source once (Plasma ships one picture at many sizes; the largest is kept). */
async function largeSources(root) {
  const byContent = new Map();
  for (const path of imagesUnder(root)) {
    const { width, height, format } = await sharp(path).metadata();
    if (width * height < MIN_SOURCE_PIXELS) continue;
    // One picture per Plasma theme folder variant (images/ vs images_dark/ differ).
    const key = path.includes('/contents/') ? path.slice(0, path.lastIndexOf('/')) : path;
    const best = byContent.get(key);
    if (best === undefined || width * height > best.pixels)
      byContent.set(key, { path, pixels: width * height, format });
  }
  return [...byContent.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** Scaled so width * height is about 9 MP (never up). */
function scaled(path, width, height) {
  const factor = Math.min(1, Math.sqrt(TARGET_PIXELS / (width * height)));
  return sharp(path)
    .resize(Math.round(width * factor), Math.round(height * factor))
    .removeAlpha();
}

async function buildFromDebian(work) {
  const fetched = fetchPackages(work);
  if (fetched === undefined) return undefined;
  const sources = await largeSources(fetched.root);
  if (sources.length < 30) {
    log(`only ${sources.length} distinct sources of at least 8 MP`);
    return undefined;
  }
  const jpegs = [];
  const pngs = [];
  for (const [i, source] of sources.entries()) {
    const { width, height } = await sharp(source.path).metadata();
    const name = `${String(i).padStart(2, '0')}-${relative(fetched.root, source.path)
      .replace(/[^\w.-]+/g, '_')
      .replace(/\.\w+$/, '')}`;
    const jpeg = join(CACHE, 'jpeg', `${name}.jpg`);
    await scaled(source.path, width, height).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toFile(jpeg);
    jpegs.push(jpeg);
    if (source.format === 'png' && pngs.length < 9) {
      const png = join(CACHE, 'png', `${name}.png`);
      await scaled(source.path, width, height).png({ compressionLevel: 6 }).toFile(png);
      pngs.push(png);
    }
  }
  const copyrights = PACKAGES.map((name) => {
    const file = join(fetched.root, 'usr/share/doc', name, 'copyright');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const licences = [...new Set([...text.matchAll(/^License: *(\S+)/gm)].map((m) => m[1]))];
    return `${name} (${fetched.debs.find((deb) => deb.startsWith(`${name}_`)) ?? '?'}): ${licences.join(', ') || 'see its copyright file'}`;
  });
  return {
    kind: 'debian-wallpapers',
    description: `${sources.length} distinct wallpapers (photographs and rendered art) of 8 MP or more from Debian packages, scaled to about 9 MP with sharp (Lanczos3): JPEGs at quality 90 (4:2:0), the PNG sources also as RGB PNGs`,
    sources: copyrights,
  };
}

async function buildGenerated() {
  const dir = join(CACHE, 'generated-src');
  const { paths } = samplePhotos(dir);
  const jpegs = [];
  const pngs = [];
  for (let i = 0; i < 30; i++) {
    const source = paths[i % paths.length];
    // Each sample photo scaled to 9 MP, then cropped differently so files differ.
    const base = sharp(source)
      .resize(3700, 2500, { fit: 'cover' })
      .extract({ left: (i * 37) % 100, top: (i * 23) % 60, width: 3600, height: 2440 });
    const jpeg = join(CACHE, 'jpeg', `gen-${String(i).padStart(2, '0')}.jpg`);
    await base.clone().jpeg({ quality: 90 }).toFile(jpeg);
    jpegs.push(jpeg);
    if (i < 9) {
      const png = join(CACHE, 'png', `gen-${String(i).padStart(2, '0')}.png`);
      await base.clone().png({ compressionLevel: 6 }).toFile(png);
      pngs.push(png);
    }
  }
  return {
    kind: 'generated',
    description: "no apt here: offloop's generated sample photos scaled to 8.8 MP (not photographs)",
    sources: [],
  };
}

/**
 * The TIFFs: each PNG of the corpus written by sharp (libvips, libtiff) as an
 * LZW TIFF, RGB in strips, no predictor. Made once and added to a corpus
 * built before they existed.
 */
async function withTiffs(corpus, manifest) {
  if (corpus.tiffs !== undefined) return corpus;
  mkdirSync(join(CACHE, 'tiff'), { recursive: true });
  const tiffs = [];
  for (const png of corpus.pngs) {
    const tiff = join(CACHE, 'tiff', `${png.slice(png.lastIndexOf('/') + 1).replace(/\.png$/, '')}.tif`);
    await sharp(png).tiff({ compression: 'lzw', predictor: 'none' }).toFile(tiff);
    tiffs.push(tiff);
  }
  const updated = {
    ...corpus,
    description: `${corpus.description}; the PNGs also as LZW TIFFs (sharp: RGB strips, no predictor)`,
    tiffs,
    bytes: corpus.bytes + tiffs.reduce((sum, path) => sum + statSync(path).size, 0),
  };
  // (Renamed into place: another run may be reading the manifest.)
  writeFileSync(`${manifest}.tmp`, `${JSON.stringify(updated, null, 1)}\n`);
  renameSync(`${manifest}.tmp`, manifest);
  return updated;
}

/** The corpus: { kind, description, sources, jpegs, pngs, tiffs }. */
export async function loadCorpus({ forceGenerated = false } = {}) {
  const manifest = join(CACHE, 'manifest.json');
  if (existsSync(manifest)) {
    const cached = JSON.parse(readFileSync(manifest, 'utf8'));
    if (!forceGenerated || cached.kind === 'generated') return withTiffs(cached, manifest);
  }
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(join(CACHE, 'jpeg'), { recursive: true });
  mkdirSync(join(CACHE, 'png'), { recursive: true });
  const work = join(CACHE, 'debs');
  log(`building in ${CACHE}`);
  const built = (!forceGenerated && (await buildFromDebian(work))) || (await buildGenerated());
  rmSync(work, { recursive: true, force: true });
  const list = (sub) =>
    readdirSync(join(CACHE, sub))
      .sort()
      .map((name) => join(CACHE, sub, name));
  const corpus = { ...built, jpegs: list('jpeg'), pngs: list('png') };
  corpus.bytes = [...corpus.jpegs, ...corpus.pngs].reduce((sum, path) => sum + statSync(path).size, 0);
  return withTiffs(corpus, manifest);
}

// The WebP to WebP case's inputs: the corpus JPEGs converted once to lossy
// WebP as a camera app or a web export would save them (sharp's defaults:
// quality 80, effort 4, 4:2:0), into CACHE/webp. Made from the JPEGs, so
// they follow the corpus when it is rebuilt.
export const WEBP_INPUT_QUALITY = 80;
export async function loadWebps(corpus) {
  const dir = join(CACHE, 'webp');
  mkdirSync(dir, { recursive: true });
  const webps = [];
  for (const jpeg of corpus.jpegs) {
    const webp = join(dir, `${relative(join(CACHE, 'jpeg'), jpeg).replace(/\.\w+$/, '')}.webp`);
    if (!existsSync(webp)) {
      const partial = `${webp}.partial`;
      await sharp(jpeg).webp({ quality: WEBP_INPUT_QUALITY }).toFile(partial);
      renameSync(partial, webp);
    }
    webps.push(webp);
  }
  return {
    webps,
    description: `the corpus JPEGs converted once with sharp (\`.webp({ quality: ${WEBP_INPUT_QUALITY} })\`: lossy, effort 4, 4:2:0)`,
  };
}
