// grayscaleFile against Pillow itself (Debian's python3-pil, run through
// /usr/bin/python3), when it is installed: a few committed fixtures, and
// fresh photo-like images Pillow draws and saves for this run (a new seed
// each time, printed on failure), decoded, oriented and re-encoded by both.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import { firstDifference, fixture, tempFolder } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import PIL; print(PIL.__version__)'], { encoding: 'utf8' });
const pillow = probe.status === 0 ? probe.stdout.trim() : undefined;

// Draws photo-like pictures (gradients, blurred shapes, noise), saves them
// in several flavours, and writes what Pillow makes of each:
//   <name>        the input
//   <name>.L      Image.open(p).convert('L')
//   <name>.luma   after draft('L', None) (JPEG only)
//   <name>.orient ImageOps.exif_transpose(Image.open(p)).convert('L')
//   <name>.q<Q>.jpg / .z6.png  Pillow's save() of the .L image, and .q<Q>.L what it decodes back to
// and prints one JSON line per input: name, size, orientation.
const MAKE = `
import io, json, random, sys
from PIL import Image, ImageDraw, ImageFilter, ImageOps
out, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
w, h = rnd.randint(300, 700), rnd.randint(200, 500)
im = Image.linear_gradient("L").resize((w, h)).convert("RGB")
d = ImageDraw.Draw(im)
for _ in range(40):
    x, y = rnd.randint(-50, w), rnd.randint(-50, h)
    d.ellipse([x, y, x + rnd.randint(10, 200), y + rnd.randint(10, 200)], fill=tuple(rnd.randint(0, 255) for _ in range(3)))
im = im.filter(ImageFilter.GaussianBlur(3))
noise = Image.effect_noise((w, h), 18).convert("RGB")
im = Image.blend(im, noise, 0.15)

def exif(o):
    e = Image.Exif()
    e[0x0112] = o
    return e.tobytes()

orientation = rnd.randint(2, 8)
variants = [
    ("420.jpg", lambda p: im.save(p, "JPEG", quality=rnd.randint(60, 95), subsampling=2)),
    ("444-progressive.jpg", lambda p: im.save(p, "JPEG", quality=90, subsampling=0, progressive=True)),
    ("422-oriented.jpg", lambda p: im.save(p, "JPEG", quality=80, subsampling=1, exif=exif(orientation))),
    ("gray.jpg", lambda p: im.convert("L").save(p, "JPEG", quality=85)),
    ("cmyk.jpg", lambda p: im.convert("CMYK").save(p, "JPEG", quality=90)),
    ("rgb.png", lambda p: im.save(p, "PNG")),
    ("rgba.png", lambda p: im.convert("RGBA").save(p, "PNG")),
    ("palette.png", lambda p: im.quantize(64).save(p, "PNG")),
    ("interlaced.png", lambda p: im.save(p, "PNG", interlace=1)),
    ("oriented.png", lambda p: im.save(p, "PNG", exif=exif(orientation))),
]
for name, save in variants:
    path = out + "/" + name
    save(path)
    gray = Image.open(path).convert("L")
    open(path + ".L", "wb").write(gray.tobytes())
    open(path + ".orient", "wb").write(ImageOps.exif_transpose(Image.open(path)).convert("L").tobytes())
    if name.endswith(".jpg") and "cmyk" not in name:
        lum = Image.open(path)
        lum.draft("L", None)
        open(path + ".luma", "wb").write(lum.convert("L").tobytes())
    print(json.dumps({"name": name, "width": gray.size[0], "height": gray.size[1]}))
gray = Image.open(out + "/420.jpg").convert("L")
gray.save(out + "/source.png", "PNG")
for q in (50, 75, 95):
    gray.save(out + "/source.q%d.jpg" % q, "JPEG", quality=q)
    open(out + "/source.q%d.L" % q, "wb").write(Image.open(out + "/source.q%d.jpg" % q).convert("L").tobytes())
`;

// Pillow's convert('L') of files given on the command line, written next to
// a folder of outputs.
const CONVERT = `
import sys
from PIL import Image
out = sys.argv[1]
for k, path in enumerate(sys.argv[2:]):
    open("%s/%d.L" % (out, k), "wb").write(Image.open(path).convert("L").tobytes())
`;

describe.skipIf(pillow === undefined)(`against Pillow ${pillow ?? ''} directly`, () => {
  const seed = Date.now() % 1_000_000;
  let temp: ReturnType<typeof tempFolder>;
  let made: Array<{ name: string; width: number; height: number }>;

  beforeAll(() => {
    temp = tempFolder('offloop-pillow-');
    const run = spawnSync(PYTHON, ['-c', MAKE, temp.dir, String(seed)], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    made = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  });
  afterAll(() => temp?.cleanup());

  const at = (name: string) => join(temp.dir, name);

  it('committed fixtures decode as Pillow decodes them now', async () => {
    const files = [
      'jpeg/ycc-420-prog-rst1row-61x37.jpg',
      'jpeg/ycck-adobe-61x37.jpg',
      'png/rgba16-adam7-29x17.png',
      'png/pal8-short-61x37.png',
      'png/gray16-61x37.png',
    ];
    const run = spawnSync(PYTHON, ['-c', CONVERT, temp.dir, ...files.map(fixture)], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    for (const [k, file] of files.entries()) {
      const result = await grayscaleFile(fixture(file));
      expect(firstDifference(result.data, readFileSync(at(`${k}.L`))), file).toBeUndefined();
    }
  });

  it(`fresh photo-like images (seed ${seed}): exact, luma and oriented pixels`, async () => {
    expect(made.length).toBe(10);
    for (const { name, width, height } of made) {
      const exact = await grayscaleFile(at(name));
      expect(exact, name).toMatchObject({ width, height });
      expect(
        firstDifference(exact.data, readFileSync(at(`${name}.L`))),
        `${name} exact (seed ${seed})`,
      ).toBeUndefined();
      const oriented = grayscaleFileSync(readFileSync(at(name)), { autoOrient: true });
      expect(
        firstDifference(oriented.data, readFileSync(at(`${name}.orient`))),
        `${name} oriented (seed ${seed})`,
      ).toBeUndefined();
      if (name.endsWith('.jpg') && !name.includes('cmyk')) {
        const luma = await grayscaleFile(at(name), { mode: 'luma' });
        expect(luma.mode, name).toBe('luma');
        expect(
          firstDifference(luma.data, readFileSync(at(`${name}.luma`))),
          `${name} luma (seed ${seed})`,
        ).toBeUndefined();
      }
    }
  });

  it(`JPEG encoding (seed ${seed}): Pillow's save() at the same quality, byte for byte`, async () => {
    for (const quality of [50, 75, 95]) {
      const ours = await grayscaleFile(at('source.png'), { encode: true, format: 'jpeg', quality });
      const theirs = readFileSync(at(`source.q${quality}.jpg`));
      expect(
        firstDifference(grayscaleFileSync(ours.data).data, readFileSync(at(`source.q${quality}.L`))),
        `quality ${quality}`,
      ).toBeUndefined();
      expect(firstDifference(ours.data, theirs), `quality ${quality}: the same bytes`).toBeUndefined();
    }
  });

  it(`PNG encoding (seed ${seed}): lossless, and Pillow reads it back to the same pixels`, async () => {
    const output = at('ours.png');
    await grayscaleFile(at('420.jpg'), { output, format: 'png' });
    const run = spawnSync(PYTHON, ['-c', CONVERT, temp.dir, output], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(firstDifference(readFileSync(at('0.L')), readFileSync(at('420.jpg.L')))).toBeUndefined();
    const mode = spawnSync(
      PYTHON,
      ['-c', 'import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nprint(im.mode, im.format)', output],
      { encoding: 'utf8' },
    );
    expect(mode.stdout.trim()).toBe('L PNG');
  });
});

if (pillow === undefined) {
  describe('against Pillow directly', () => {
    it.skip(`skipped: ${PYTHON} with PIL is not installed (Debian: apt-get install python3-pil); the committed goldens still hold offloop to Pillow`, () => {});
  });
}
