#!/usr/bin/python3
"""Generates test/fixtures/images/: small JPEG and PNG inputs of every kind issue 8
lists, and what Debian's Pillow makes of them, so the C++ (and later JS) tests need
no Python.

Needs (Debian/Ubuntu): python3-pil, libjpeg-turbo-progs (cjpeg, jpegtran), a C
compiler and libjpeg-dev (a tiny helper writes the YCCK JPEG, which neither Pillow
nor cjpeg can). Run with the system python3 (the one that has PIL):

    /usr/bin/python3 scripts/make-image-fixtures.py

Output is deterministic for a given Pillow/libjpeg-turbo: inputs are drawn from a
seeded generator, PNGs are written by the small encoder below (so every bit depth,
filter type and Adam7 are covered), JPEGs by Pillow, cjpeg, jpegtran and the helper.

For every input the manifest holds width, height, kind and:
  exact      raw bytes of Image.open(p).convert('L')
  luma       JPEG only, YCbCr or gray: Image.open(p) after draft('L', None)
             (libjpeg's grayscale output: the Y plane, no chroma decode)
  truncated  [[length, verdict], ...]: the file cut to `length` bytes, and
             Pillow's convert('L') of it: "err" or the FNV-1a 64 hash of the bytes
Damaged files (corrupt/): Pillow's verdict on each, as above.
For encoding: a gray source image, Pillow's save() of it as JPEG (quality 75 and 90)
and as PNG (compress_level 6), and the pixels Pillow decodes back from those.

EXIF orientation (orient/, with its own orient/manifest.json so the main manifest
stays as it is): one 29x17 picture saved by Pillow as JPEG (APP1) and PNG (eXIf)
with orientation 1..8 (and, for JPEG, no tag and the invalid value 9), the TIFF
header little-endian for odd orientations and big-endian for even ones. For each:
  exact      convert('L'), orientation ignored (Pillow's convert never applies it)
  oriented   ImageOps.exif_transpose(Image.open(p)).convert('L'), and its size
  luma, lumaOriented  (JPEG) the same after draft('L', None)
Only these files can be (re)made, leaving every other fixture untouched:

    /usr/bin/python3 scripts/make-image-fixtures.py --only orient

Where the orientation comes from (orient-sources/, its own manifest): the
same picture with the Orientation tag stored in other TIFF types (LONG,
signed, rational, BYTE), repeated or with two values; a PNG eXIf after IDAT,
before and after it, twice after it; XMP tiff:Orientation in PNG tEXt, zTXt
and iTXt (plain and compressed), attribute and element forms, before and
after IDAT, with and without an EXIF tag; and a JPEG with XMP only (which
Pillow 9.4 ignores). Each entry holds what Pillow's getexif() gives as the
orientation (0 when it is not 1..8) and the exif_transpose goldens:

    /usr/bin/python3 scripts/make-image-fixtures.py --only orient-sources

GIF and BMP (gif/, bmp/, corrupt/gif-*, corrupt/bmp-*; entries in the main manifest,
format "gif" or "bmp"): Pillow's own GIFs and BMPs, and hand-made ones for what Pillow
does not write (frames smaller than or past the screen, local palettes, no palette,
interlace, clear codes; 1/4/8/16/24/32-bit, BITFIELDS, OS/2 and V4/V5 headers, RLE8/RLE4
with Pillow 9.4's quirks), each with convert('L') and truncation verdicts:

    /usr/bin/python3 scripts/make-image-fixtures.py --only gif-bmp

WebP (webp/, corrupt/webp-*; entries in the main manifest, format "webp"): Pillow's own
WebPs (lossy, lossless, alpha, animated), damaged ones, EXIF orientation cases
(webp/orient.json) and Pillow's save() of a gray image as WebP (webp/encode.json), made
with Debian's python3-pil 9.4 and its libwebp 1.2.4:

    /usr/bin/python3 scripts/make-image-fixtures.py --only webp

TIFF (tiff/, corrupt/tiff-*; entries in the main manifest, format "tiff"): Pillow's own
TIFFs (uncompressed, LZW, Deflate, PackBits, JPEG, Group 4; RGB, RGBA, gray, LA, palette,
bilevel, 16-bit gray), hand-written ones for what Pillow does not write (CMYK, separate planes...) and tiffcp's
(Debian's libtiff-tools) recompressions, strips and tiles; the variants refused
(tiff/refused.json), damaged ones, and the Orientation tag's cases (tiff/orient.json):

    /usr/bin/python3 scripts/make-image-fixtures.py --only tiff
"""

import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zlib

import PIL
from PIL import Image, ImageFile, ImageOps, TiffImagePlugin, features

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "images")

# ---------------------------------------------------------------- pixels


def rgb_pixels(w, h, seed):
    """Gradients, noise, saturated patches and hard edges: exercises clamping in
    the YCbCr->RGB conversion, chroma upsampling at edges and the DCT."""
    rnd = random.Random(seed)
    out = bytearray()
    for y in range(h):
        for x in range(w):
            r = x * 255 // max(1, w - 1)
            g = y * 255 // max(1, h - 1)
            b = ((x + y) * 4) & 255
            if (x // 9 + y // 7) % 5 == 0:  # saturated patches
                r, g, b = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)][(x // 9) % 4]
            if x == w // 3 or y == h // 2:  # hard edges
                r = g = b = 255 if (x + y) % 2 else 0
            n = rnd.randint(-28, 28)
            out += bytes(max(0, min(255, v + n)) for v in (r, g, b))
    return bytes(out)


def cmyk_pixels(w, h, seed):
    rnd = random.Random(seed)
    out = bytearray()
    for y in range(h):
        for x in range(w):
            c = x * 255 // max(1, w - 1)
            m = y * 255 // max(1, h - 1)
            yy = ((x * 3 + y * 5) * 3) & 255
            k = 0 if (x // 8) % 3 == 0 else ((x + 2 * y) * 2) & 255
            out += bytes(max(0, min(255, v + rnd.randint(-20, 20))) for v in (c, m, yy, k))
    return bytes(out)


def samples16(w, h, channels, seed):
    """16-bit samples spanning the whole range, some below 256 (so the
    16-bit gray clamp and the high-byte rules are both visible)."""
    rnd = random.Random(seed)
    rows = []
    for y in range(h):
        row = []
        for x in range(w):
            for c in range(channels):
                if (x + c) % 7 == 0:
                    v = rnd.randint(0, 300)  # small values: the 16-bit gray clamp region
                else:
                    v = (x * 65535 // max(1, w - 1) * (c + 1) + y * 997 + rnd.randint(0, 31)) & 0xFFFF
                row.append(v)
        rows.append(row)
    return rows


def samples8(w, h, channels, seed, maxv=255):
    rnd = random.Random(seed)
    rows = []
    for y in range(h):
        row = []
        for x in range(w):
            for c in range(channels):
                base = (x * (c + 3) * 5 + y * 7 + c * 40) % (maxv + 1)
                if rnd.random() < 0.1:
                    base = rnd.randint(0, maxv)
                row.append(base)
        rows.append(row)
    return rows


# ------------------------------------------------------ a small PNG writer


def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def pack_row(values, bits):
    if bits == 8:
        return bytes(values)
    if bits == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    out = bytearray()
    per = 8 // bits
    for i in range(0, len(values), per):
        byte = 0
        group = values[i : i + per]
        for j, v in enumerate(group):
            byte |= v << (8 - bits * (j + 1))
        out.append(byte)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows, bpp):
    """Filters row k with type k % 5, so every filter type is used."""
    out = bytearray()
    prev = bytes(len(rows[0])) if rows else b""
    for k, row in enumerate(rows):
        ft = k % 5
        f = bytearray()
        for i, v in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ft]
            f.append((v - pred) & 255)
        out.append(ft)
        out += f
        prev = row
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, w, h, color_type, bits, pixel_rows, channels, palette=None, trns=None, interlace=False):
    """pixel_rows: h lists of w*channels sample values."""
    bpp = max(1, channels * bits // 8)
    raw = bytearray()
    if not interlace:
        rows = [pack_row(r, bits) for r in pixel_rows]
        raw = filter_rows(rows, bpp)
    else:
        for x0, y0, dx, dy in ADAM7:
            sub = []
            for y in range(y0, h, dy):
                vals = []
                for x in range(x0, w, dx):
                    vals += pixel_rows[y][x * channels : (x + 1) * channels]
                if vals:
                    sub.append(pack_row(vals, bits))
            if sub:
                raw += filter_rows(sub, bpp)
    data = b"\x89PNG\r\n\x1a\n"
    data += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bits, color_type, 0, 0, 1 if interlace else 0))
    data += chunk(b"gAMA", struct.pack(">I", 45455))  # present, and must be ignored
    if palette is not None:
        data += chunk(b"PLTE", palette)
    if trns is not None:
        data += chunk(b"tRNS", trns)
    z = zlib.compress(bytes(raw), 9)
    half = len(z) // 2  # two IDAT chunks: decoders must join them
    data += chunk(b"IDAT", z[:half]) + chunk(b"IDAT", z[half:])
    data += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


# ----------------------------------------------------------- YCCK helper

YCCK_HELPER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
/* argv: width height out.jpg < raw Adobe-inverted CMYK bytes */
int main(int argc, char **argv) {
  int w = atoi(argv[1]), h = atoi(argv[2]);
  unsigned char *buf = malloc((size_t)w * h * 4);
  if (fread(buf, 1, (size_t)w * h * 4, stdin) != (size_t)w * h * 4) return 2;
  FILE *out = fopen(argv[3], "wb");
  struct jpeg_compress_struct c; struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, out);
  c.image_width = w; c.image_height = h; c.input_components = 4; c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, JCS_YCCK);
  jpeg_set_quality(&c, 88, TRUE);
  c.comp_info[0].h_samp_factor = 2; c.comp_info[0].v_samp_factor = 2;
  c.comp_info[3].h_samp_factor = 2; c.comp_info[3].v_samp_factor = 2;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = buf + (size_t)c.next_scanline * w * 4;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  fclose(out);
  return 0;
}
"""

# ---------------------------------------------------------------- helpers


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def pillow_gray(data):
    im = Image.open(io.BytesIO(data))
    return im.convert("L")


def pillow_verdict(data):
    try:
        return fnv1a64(pillow_gray(data).tobytes())
    except Exception:  # any refusal (truncated, broken, syntax) is "err"
        return "err"


def truncation_lengths(n, tail_marker_len):
    """Where to cut: evenly spread, plus the last bytes one by one."""
    cuts = set()
    for i in range(1, 17):
        cuts.add(n * i // 17)
    for k in range(1, 13):
        cuts.add(n - k)
    cuts.add(n - tail_marker_len)
    for c in (0, 1, 2, 3, 8, 16, 33):
        cuts.add(c)
    return sorted(c for c in cuts if 0 <= c < n)


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


# ------------------------------------------------------ EXIF orientation


def exif_orientation(orientation, big_endian):
    """An APP1/eXIf payload: 'Exif\\0\\0' + a TIFF header + IFD0 holding only
    the Orientation tag (SHORT), or no entry at all when orientation is None."""
    e = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    if orientation is None:
        ifd = struct.pack(e + "H", 0)
    else:
        ifd = struct.pack(e + "H", 1) + struct.pack(e + "HHIHH", 0x0112, 3, 1, orientation, 0)
    return b"Exif\x00\x00" + tiff + ifd + struct.pack(e + "I", 0)


def tiff_ifd0(entries, big_endian):
    """'Exif\\0\\0' + a TIFF header + IFD0 of (tag, type, count, value bytes)
    entries; values longer than 4 bytes go after the IFD, by offset."""
    e = ">" if big_endian else "<"
    head = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    ifd_size = 2 + 12 * len(entries) + 4
    extra = b""
    body = struct.pack(e + "H", len(entries))
    for tag, typ, count, value in entries:
        if len(value) <= 4:
            body += struct.pack(e + "HHI", tag, typ, count) + value.ljust(4, b"\0")
        else:
            body += struct.pack(e + "HHII", tag, typ, count, 8 + ifd_size + len(extra))
            extra += value
    return b"Exif\x00\x00" + head + body + struct.pack(e + "I", 0) + extra


def png_chunk(name, data):
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data) & 0xFFFFFFFF)


def xmp_packet(orientation, form):
    inner = ('<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="%d"/>' % orientation
             if form == "attr" else
             '<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"><tiff:Orientation>%d</tiff:Orientation></rdf:Description>' % orientation)
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">%s</rdf:RDF></x:xmpmeta>'
            '<?xpacket end="w"?>' % inner).encode("utf-8")


def xmp_chunk(kind, orientation, form="attr"):
    key = b"XML:com.adobe.xmp\0"
    text = xmp_packet(orientation, form)
    if kind == "tEXt":
        return png_chunk(b"tEXt", key + text)
    if kind == "zTXt":
        return png_chunk(b"zTXt", key + b"\0" + zlib.compress(text))
    if kind == "iTXt":
        return png_chunk(b"iTXt", key + b"\0\0" + b"\0" + b"\0" + text)
    return png_chunk(b"iTXt", key + b"\1\0" + b"\0" + b"\0" + zlib.compress(text))  # iTXt, compressed


def exif_chunk(payload):
    return png_chunk(b"eXIf", payload[6:])  # without "Exif\0\0", as Pillow writes it


def raw_exif_chunk(kind, payload, separator=""):
    """ImageMagick's "Raw profile type exif": a blank line, the profile's name,
    its length, then the bytes in hex, 36 a line (pairs split by `separator`)."""
    digits = payload.hex()
    pairs = [digits[i:i + 2] for i in range(0, len(digits), 2)]
    lines = [separator.join(pairs[i:i + 36]) for i in range(0, len(pairs), 36)]
    text = ("\nexif\n%8d\n" % len(payload) + "\n".join(lines) + "\n").encode("latin-1")
    key = b"Raw profile type exif\0"
    if kind == "tEXt":
        return png_chunk(b"tEXt", key + text)
    if kind == "zTXt":
        return png_chunk(b"zTXt", key + b"\0" + zlib.compress(text))
    return png_chunk(b"iTXt", key + b"\0\0" + b"\0" + b"\0" + text)


def make_orientation_sources():
    """orient-sources/: where exif_transpose finds the orientation, case by case."""
    out = os.path.join(OUT, "orient-sources")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    w, h = 29, 17
    picture = Image.frombytes("RGB", (w, h), rgb_pixels(w, h, 2024))
    le, be = False, True

    def short(v, e=le):
        return struct.pack(">H" if e else "<H", v)

    def long_(v, e=le):
        return struct.pack(">I" if e else "<I", v)

    tag = {
        "short-6": [(0x0112, 3, 1, short(6))],
        "long-6-le": [(0x0112, 4, 1, long_(6))],
        "long-8-be": "be",
        "sshort-3": [(0x0112, 8, 1, short(3))],
        "slong-5": [(0x0112, 9, 1, long_(5))],
        "rational-12-2": [(0x0112, 5, 1, long_(12) + long_(2))],
        "byte-6": [(0x0112, 1, 1, b"\x06")],
        "short-count2-6-3": [(0x0112, 3, 2, short(6) + short(3))],
        "twice-3-then-6": [(0x0112, 3, 1, short(3)), (0x0112, 3, 1, short(6))],
        "unknown-type-6": [(0x0112, 14, 1, short(6))],
        "no-tag": [(0x0100, 3, 1, short(29))],
    }
    payload = {k: tiff_ifd0(v, le) for k, v in tag.items() if v != "be"}
    payload["long-8-be"] = tiff_ifd0([(0x0112, 4, 1, long_(8, be))], be)

    buf = io.BytesIO()
    picture.save(buf, "PNG")
    plain = buf.getvalue()
    # The chunks of the plain PNG: IHDR ... IDAT... IEND.
    chunks, pos = [], 8
    while pos < len(plain):
        n = struct.unpack(">I", plain[pos:pos + 4])[0]
        chunks.append(plain[pos:pos + 12 + n])
        pos += 12 + n
    first_idat = next(i for i, c in enumerate(chunks) if c[4:8] == b"IDAT")

    def png(before=(), after=()):
        return plain[:8] + b"".join(chunks[:first_idat]) + b"".join(before) + b"".join(chunks[first_idat:-1]) + b"".join(after) + chunks[-1]

    files = {}
    for name, data in payload.items():
        buf = io.BytesIO()
        picture.save(buf, "JPEG", quality=85, exif=data)
        files["jpeg-exif-" + name + ".jpg"] = buf.getvalue()
    files["png-exif-long-6-le.png"] = png(before=[exif_chunk(payload["long-6-le"])])
    files["png-exif-after-idat-6.png"] = png(after=[exif_chunk(payload["short-6"])])
    files["png-exif-before-3-after-6.png"] = png(before=[exif_chunk(tiff_ifd0([(0x0112, 3, 1, short(3))], le))],
                                                 after=[exif_chunk(payload["short-6"])])
    files["png-exif-after-3-then-6.png"] = png(after=[exif_chunk(tiff_ifd0([(0x0112, 3, 1, short(3))], le)),
                                                      exif_chunk(payload["short-6"])])
    for kind in ("tEXt", "zTXt", "iTXt", "iTXt-z"):
        for form, o in (("attr", 6), ("element", 8)):
            files["png-xmp-%s-%s-%d.png" % (kind, form, o)] = png(before=[xmp_chunk(kind, o, form)])
    files["png-xmp-after-idat-5.png"] = png(after=[xmp_chunk("iTXt", 5)])
    files["png-xmp-twice-6-then-3.png"] = png(before=[xmp_chunk("iTXt", 6), xmp_chunk("tEXt", 3)])
    files["png-xmp-9.png"] = png(before=[xmp_chunk("iTXt", 9)])
    files["png-exif-no-tag-xmp-6.png"] = png(before=[exif_chunk(payload["no-tag"]), xmp_chunk("iTXt", 6)])
    files["png-exif-3-xmp-6.png"] = png(before=[exif_chunk(tiff_ifd0([(0x0112, 3, 1, short(3))], le)), xmp_chunk("iTXt", 6)])
    files["png-exif-byte-xmp-6.png"] = png(before=[exif_chunk(payload["byte-6"]), xmp_chunk("iTXt", 6)])
    # EXIF (no tag) before IDAT: Pillow does not load the image, so XMP after it is never read.
    files["png-exif-no-tag-xmp-after-idat-6.png"] = png(before=[exif_chunk(payload["no-tag"])], after=[xmp_chunk("iTXt", 6)])
    # ImageMagick's hex EXIF in a text chunk, read by getexif when there is no "exif" entry,
    # and a tEXt keyed "exif", which is that entry.
    o3 = tiff_ifd0([(0x0112, 3, 1, short(3))], le)
    for kind in ("tEXt", "zTXt", "iTXt"):
        files["png-rawexif-%s-6.png" % kind] = png(before=[raw_exif_chunk(kind, payload["short-6"])])
    files["png-rawexif-no-exif-header-3.png"] = png(before=[raw_exif_chunk("zTXt", o3[6:])])
    files["png-rawexif-spaced-8.png"] = png(before=[raw_exif_chunk("tEXt", payload["long-8-be"], " ")])
    files["png-rawexif-after-idat-5.png"] = png(after=[raw_exif_chunk("zTXt", tiff_ifd0([(0x0112, 3, 1, short(5))], le))])
    files["png-rawexif-twice-3-then-6.png"] = png(before=[raw_exif_chunk("zTXt", o3), raw_exif_chunk("tEXt", payload["short-6"])])
    files["png-exif-3-rawexif-6.png"] = png(before=[exif_chunk(o3), raw_exif_chunk("zTXt", payload["short-6"])])
    files["png-rawexif-no-tag-xmp-6.png"] = png(before=[raw_exif_chunk("zTXt", payload["no-tag"]), xmp_chunk("iTXt", 6)])
    files["png-rawexif-empty-xmp-6.png"] = png(before=[png_chunk(b"tEXt", b"Raw profile type exif\0\nexif\n"), xmp_chunk("iTXt", 6)])
    files["png-text-exif-6.png"] = png(before=[png_chunk(b"tEXt", b"exif\0" + payload["short-6"])])
    files["png-text-exif-no-header-5.png"] = png(before=[png_chunk(b"tEXt", b"exif\0" + tiff_ifd0([(0x0112, 3, 1, short(5))], le)[6:])])
    files["png-text-exif-3-rawexif-6.png"] = png(before=[png_chunk(b"tEXt", b"exif\0" + o3), raw_exif_chunk("tEXt", payload["short-6"])])
    # Pillow 9.4 reads no XMP from a JPEG.
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=85)
    j = buf.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet(6, "attr")
    files["jpeg-xmp-only-6.jpg"] = j[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + j[2:]

    entries = []
    for name in sorted(files):
        rel = "orient-sources/" + name
        with open(os.path.join(OUT, rel), "wb") as f:
            f.write(files[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = Image.open(os.path.join(OUT, rel)).getexif().get(0x0112)
            im = ImageOps.exif_transpose(Image.open(os.path.join(OUT, rel))).convert("L")
        orientation = value if isinstance(value, int) and 1 <= value <= 8 else 0
        if not isinstance(value, (int, bytes, str, tuple, type(None))) and float(value).is_integer() and 1 <= float(value) <= 8:
            orientation = int(float(value))  # a rational or float equal to 1..8
        base = rel.rsplit(".", 1)[0]
        open(os.path.join(OUT, base + ".oriented.gray"), "wb").write(im.tobytes())
        entries.append({"file": rel, "format": "jpeg" if name.endswith(".jpg") else "png",
                        "orientation": orientation, "pillowValue": repr(value),
                        "oriented": base + ".oriented.gray", "orientedWidth": im.size[0], "orientedHeight": im.size[1]})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write('{\n"generator": "scripts/make-image-fixtures.py (make_orientation_sources)",\n')
        f.write('"pillow": %s,\n' % json.dumps(PIL.__version__))
        f.write('"sources": [\n' + ",\n".join(json.dumps(e) for e in entries) + "\n]\n}\n")
    return len(entries)


def make_orientation():
    """orient/: one picture per EXIF orientation, as JPEG and PNG, and what
    Pillow makes of each with and without ImageOps.exif_transpose."""
    out = os.path.join(OUT, "orient")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    w, h = 29, 17  # not square, odd: a transposition shows, MCUs are partial
    picture = Image.frombytes("RGB", (w, h), rgb_pixels(w, h, 2024))
    entries = []
    cases = [("jpeg", o) for o in (None, 1, 2, 3, 4, 5, 6, 7, 8, 9)] + [("png", o) for o in range(1, 9)]
    for fmt, o in cases:
        name = "%s-%s-%dx%d" % (fmt, "o%d" % o if o is not None else "notag", w, h)
        rel = "orient/%s.%s" % (name, "jpg" if fmt == "jpeg" else "png")
        exif = exif_orientation(o, big_endian=o is not None and o % 2 == 0)
        if fmt == "jpeg":
            picture.save(os.path.join(OUT, rel), "JPEG", quality=85, subsampling=2, exif=exif)
        else:
            picture.save(os.path.join(OUT, rel), "PNG", exif=exif)

        def gray(draft, orient):
            im = Image.open(os.path.join(OUT, rel))
            if draft:
                im.draft("L", None)
            if orient:
                im = ImageOps.exif_transpose(im)
            return im.convert("L")

        base = "orient/" + name
        entry = {"file": rel, "format": fmt, "orientation": o or 0, "width": w, "height": h}
        for key, draft, orient in (("exact", False, False), ("oriented", False, True),
                                   ("luma", True, False), ("lumaOriented", True, True)):
            if draft and fmt != "jpeg":
                continue
            im = gray(draft, orient)
            suffix = {"exact": "", "oriented": ".oriented", "luma": ".luma", "lumaOriented": ".luma.oriented"}[key]
            open(os.path.join(OUT, base + suffix + ".gray"), "wb").write(im.tobytes())
            entry[key] = base + suffix + ".gray"
            if key == "oriented":
                entry["orientedWidth"], entry["orientedHeight"] = im.size
        entries.append(entry)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write('{\n"generator": "scripts/make-image-fixtures.py (make_orientation)",\n')
        f.write('"pillow": %s,\n' % json.dumps(PIL.__version__))
        f.write('"orient": [\n' + ",\n".join(json.dumps(e) for e in entries) + "\n]\n}\n")
    return len(entries)


# ---------------------------------------------------------------- manifest entries


def decode_entry(rel, kind, luma):
    """The manifest entry of a fixture: size, Pillow's convert('L') (written
    beside it as .gray), draft('L') for JPEGs with a luma path, and Pillow's
    verdict on the file cut at many lengths."""
    path = os.path.join(OUT, rel)
    data = open(path, "rb").read()
    im = Image.open(io.BytesIO(data))
    w, h = im.size
    exact = im.convert("L").tobytes()
    assert len(exact) == w * h
    base = rel.rsplit(".", 1)[0]
    open(os.path.join(OUT, base + ".gray"), "wb").write(exact)
    entry = {"file": rel, "kind": kind, "format": rel.split("/")[0], "width": w, "height": h,
             "exact": base + ".gray", "luma": None}
    if luma:
        im2 = Image.open(io.BytesIO(data))
        im2.draft("L", None)
        lum = im2.convert("L").tobytes()
        assert len(lum) == w * h
        open(os.path.join(OUT, base + ".luma.gray"), "wb").write(lum)
        entry["luma"] = base + ".luma.gray"
    tail = 2 if rel.endswith(".jpg") else 1 if rel.endswith(".gif") else 12
    entry["truncated"] = [[c, pillow_verdict(data[:c])] for c in truncation_lengths(len(data), tail)]
    return entry


def damaged_entry(name, kind, data):
    """A damaged file under corrupt/ and Pillow's verdict on it."""
    rel = "corrupt/" + name
    open(os.path.join(OUT, rel), "wb").write(data)
    return {"corrupt": rel, "kind": kind, "verdict": pillow_verdict(data)}


def write_manifest(decode, encode, corrupt):
    # One entry per line so the C++ test can read it without a JSON library.
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        f.write("{\n")
        f.write('"generator": "scripts/make-image-fixtures.py",\n')
        f.write('"pillow": %s,\n' % json.dumps(PIL.__version__))
        f.write('"libjpeg": %s,\n' % json.dumps(features.version("jpg")))
        f.write('"zlib": %s,\n' % json.dumps(features.version("zlib")))
        f.write('"decode": [\n')
        f.write(",\n".join(json.dumps(e) for e in decode))
        f.write("\n],\n")
        f.write('"encode": [\n')
        f.write(",\n".join(json.dumps(e) for e in encode))
        f.write("\n],\n")
        f.write('"corrupt": [\n')
        f.write(",\n".join(json.dumps(e) for e in corrupt))
        f.write("\n]\n}\n")


# ---------------------------------------------------------------- GIF and BMP


def lzw_encode(indices, min_code_size, clear_every=None):
    """GIF LZW (variable width, clear code first, end code last). With
    clear_every, a clear code after that many symbols (resets the table)."""
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    out, acc, nbits = bytearray(), 0, 0

    def emit(code, width):
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(acc & 255)
            acc >>= 8
            nbits -= 8

    def reset():
        return {bytes([i]): i for i in range(clear)}, end + 1, min_code_size + 1

    table, nxt, width = reset()
    emit(clear, width)
    w, count = b"", 0
    for v in indices:
        wc = w + bytes([v])
        if wc in table:
            w = wc
            continue
        emit(table[w], width)
        count += 1
        if nxt < 4096:
            table[wc] = nxt
            nxt += 1
            if nxt > (1 << width) and width < 12:
                width += 1
        if clear_every and count % clear_every == 0:
            emit(clear, width)
            table, nxt, width = reset()
        w = bytes([v])
    if w:
        emit(table[w], width)
    emit(end, width)
    if nbits:
        out.append(acc & 255)
    return bytes(out)


def gif_sub_blocks(data, size=255):
    out = bytearray()
    for i in range(0, len(data), size):
        out += bytes([len(data[i : i + size])]) + data[i : i + size]
    return bytes(out + b"\x00")


def gif_interlace_order(h):
    return [y for start, step in ((0, 8), (4, 8), (2, 4), (1, 2)) for y in range(start, h, step)]


def write_gif(path, screen, frames, global_palette=None, pre_blocks=b"", version=b"GIF89a"):
    """frames: dicts with x, y, w, h, indices (row-major), bits (LZW min code
    size), palette (local, bytes) or None, transparency, interlace, and
    clear_every / block_size for the LZW data."""
    sw, sh = screen
    flags = 0
    if global_palette is not None:
        n = len(global_palette) // 3
        depth = max(1, (n - 1).bit_length())
        flags = 0x80 | (depth - 1) | ((depth - 1) << 4)
        global_palette = global_palette + b"\0" * (3 * (1 << depth) - len(global_palette))
    out = bytearray(version + struct.pack("<HHBBB", sw, sh, flags, 0, 0))
    if global_palette is not None:
        out += global_palette
    out += pre_blocks
    for f in frames:
        if f.get("transparency") is not None:
            out += b"!\xf9\x04" + struct.pack("<BHB", 1, 10, f["transparency"]) + b"\x00"
        fl = 0x40 if f.get("interlace") else 0
        local = f.get("palette")
        if local is not None:
            n = len(local) // 3
            depth = max(1, (n - 1).bit_length())
            fl |= 0x80 | (depth - 1)
            local = local + b"\0" * (3 * (1 << depth) - len(local))
        out += b"," + struct.pack("<HHHHB", f["x"], f["y"], f["w"], f["h"], fl)
        if local is not None:
            out += local
        rows = [f["indices"][y * f["w"] : (y + 1) * f["w"]] for y in range(f["h"])]
        order = gif_interlace_order(f["h"]) if f.get("interlace") else range(f["h"])
        stream = b"".join(bytes(rows[y]) for y in order)
        out += bytes([f["bits"]]) + gif_sub_blocks(lzw_encode(stream, f["bits"], f.get("clear_every")),
                                                  f.get("block_size", 255))
    out += b";"
    open(path, "wb").write(bytes(out))


def bmp_file(info_header, palette=b"", masks=b"", pixels=b"", offset=None):
    """A BMP from its parts; the data offset right after the palette unless given."""
    start = 14 + len(info_header) + len(masks) + len(palette)
    off = start if offset is None else offset
    body = info_header + masks + palette
    gap = b"\0" * max(0, off - start)
    return b"BM" + struct.pack("<IHHI", 14 + len(body) + len(gap) + len(pixels), 0, 0, off) + body + gap + pixels


def bmp_info(w, h, bits, compression=0, colors=0, size=40, masks=None):
    head = struct.pack("<iiHHIIiiII", w, h, 1, bits, compression, 0, 2835, 2835, colors, 0)
    if size > 40:
        extra = struct.pack("<IIII", *(masks or (0, 0, 0, 0))) if size >= 56 else b""
        head += extra + b"\0" * (size - 4 - len(head) - len(extra))
    return struct.pack("<I", size) + head


def bmp_rows(rows, bits, top_down):
    """Packs rows of values (indices, or (b, g, r[, x]) bytes) padded to 4 bytes."""
    out = bytearray()
    for row in (rows if top_down else rows[::-1]):
        if bits < 8:
            per = 8 // bits
            packed = bytearray()
            for i in range(0, len(row), per):
                v = 0
                for k in range(per):
                    v = (v << bits) | (row[i + k] if i + k < len(row) else 0)
                packed.append(v)
            row = bytes(packed)
        else:
            row = bytes(row)
        out += row + b"\0" * ((-len(row)) % 4)
    return bytes(out)


def rle_encode(rows, rle4, top_down=False):
    """RLE8/RLE4 as Windows writes it: runs, absolute runs of even length
    (RLE4: Pillow 9.4 reads count // 2 bytes), end of line, end of bitmap."""
    out = bytearray()
    for row in (rows if top_down else rows[::-1]):
        i = 0
        while i < len(row):
            j = i
            limit = 254 if rle4 else 255
            if rle4:  # alternating pairs count as a run
                while j < len(row) and j - i < limit and row[j] == row[i + ((j - i) & 1) if i + 1 < len(row) else i]:
                    j += 1
            else:
                while j < len(row) and j - i < limit and row[j] == row[i]:
                    j += 1
            if j - i >= 3 or j == len(row):
                n = j - i
                if rle4:
                    second = row[i + 1] if n > 1 else 0
                    out += bytes([n, (row[i] << 4) | second])
                else:
                    out += bytes([n, row[i]])
                i = j
            else:
                n = min(len(row) - i, 16)
                n -= n % 2
                if n < 4:
                    out += bytes([1, (row[i] << 4) if rle4 else row[i]])
                    i += 1
                    continue
                chunk = row[i : i + n]
                if rle4:
                    data = bytes((chunk[k] << 4) | chunk[k + 1] for k in range(0, n, 2))
                else:
                    data = bytes(chunk)
                out += bytes([0, n]) + data + (b"\0" if len(data) % 2 else b"")
                i += n
        out += b"\x00\x00"
    return bytes(out + b"\x00\x01")


def fixture_indices(w, h, n, seed):
    """Palette indices below n: diagonal bands with some noise."""
    r = random.Random(seed)
    return [((x * 3 + y * 5) // 4 + (r.randint(0, n - 1) if r.random() < 0.2 else 0)) % n
            for y in range(h) for x in range(w)]


def fresh_dir(sub):
    if os.path.isdir(os.path.join(OUT, sub)):
        shutil.rmtree(os.path.join(OUT, sub))
    os.makedirs(os.path.join(OUT, sub))
    os.makedirs(os.path.join(OUT, "corrupt"), exist_ok=True)


def make_gif_bmp():
    """GIF (first frame) and BMP inputs of every kind Pillow 9.4 reads, with
    their goldens, and damaged ones with Pillow's verdict. Returns (decode
    entries, corrupt entries); the files go to gif/, bmp/ and corrupt/."""
    gif_decode, gif_corrupt = make_gif()
    bmp_decode, bmp_corrupt = make_bmp()
    return gif_decode + bmp_decode, gif_corrupt + bmp_corrupt


def make_gif():
    fresh_dir("gif")
    decode, corrupt = [], []
    W, H = 61, 37
    rgb = Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 700))
    rnd = random.Random(19)
    palette = bytes(rnd.randint(0, 255) for _ in range(256 * 3))
    indices = fixture_indices

    def gif(name, kind, **kw):
        rel = "gif/" + name
        write_gif(os.path.join(OUT, rel), **kw)
        decode.append(decode_entry(rel, kind, False))

    # Pillow's own GIFs: quantized colour (interlaced, its default from 16
    # pixels on, and not), gray (a ramp palette: read as L), transparency.
    quant = rgb.quantize(64)
    for inter in (True, False):
        rel = "gif/pillow-p64-%s-%dx%d.gif" % ("interlaced" if inter else "plain", W, H)
        quant.save(os.path.join(OUT, rel), "GIF", interlace=inter)
        decode.append(decode_entry(rel, "gif written by Pillow (quantize 64)%s" % (" interlaced" if inter else ""), False))
    rel = "gif/pillow-gray-%dx%d.gif" % (W, H)
    rgb.convert("L").save(os.path.join(OUT, rel), "GIF")
    decode.append(decode_entry(rel, "gif written by Pillow from L (gray ramp palette)", False))
    rel = "gif/pillow-p-trns-%dx%d.gif" % (W, H)
    quant.save(os.path.join(OUT, rel), "GIF", transparency=5)
    decode.append(decode_entry(rel, "gif written by Pillow with transparency", False))
    frames = [rgb.quantize(32), Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 701)).quantize(32)]
    rel = "gif/pillow-animated-%dx%d.gif" % (W, H)
    frames[0].save(os.path.join(OUT, rel), "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    decode.append(decode_entry(rel, "gif animated by Pillow: the first frame", False))

    # Hand-made: frames smaller than the screen, offsets, local palettes, transparency.
    fw, fh = 40, 25
    frame = dict(x=7, y=5, w=fw, h=fh, indices=indices(fw, fh, 32, 1), bits=5)
    gif("frame-offset-global-%dx%d.gif" % (W, H), "gif frame 40x25 at 7,5 on a 61x37 screen, global palette",
        screen=(W, H), frames=[frame], global_palette=palette[: 3 * 32])
    gif("frame-offset-trns-%dx%d.gif" % (W, H), "gif frame at 7,5 with transparency 9 (outside: index 9)",
        screen=(W, H), frames=[dict(frame, transparency=9)], global_palette=palette[: 3 * 32])
    gif("frame-offset-local-%dx%d.gif" % (W, H), "gif frame at 7,5, local palette only, interlaced",
        screen=(W, H), frames=[dict(frame, palette=palette[300 : 300 + 3 * 32], interlace=True)])
    gif("frame-past-screen-30x20.gif", "gif frame 40x25 at 10,8 past a 30x20 screen (Pillow grows the size)",
        screen=(30, 20), frames=[dict(frame, x=10, y=8, transparency=3)], global_palette=palette[: 3 * 32])
    gif("local-ramp-global-color-%dx%d.gif" % (W, H), "gif local palette a gray ramp over a colour global one (L)",
        screen=(W, H), frames=[dict(frame, palette=bytes(v for i in range(32) for v in (i, i, i)))],
        global_palette=palette[: 3 * 32])
    gif("global-ramp-trns-%dx%d.gif" % (W, H), "gif global gray ramp (L), transparency, frame at 7,5",
        screen=(W, H), frames=[dict(frame, transparency=17)],
        global_palette=bytes(v for i in range(32) for v in (i, i, i)))
    gif("no-palette-%dx%d.gif" % (W, H), "gif with no palette at all (L: the indices)",
        screen=(W, H), frames=[dict(frame, x=0, y=0, w=W, h=H, indices=indices(W, H, 256, 2), bits=8)])
    gif("short-palette-%dx%d.gif" % (W, H), "gif 4-entry palette, indices to 31 (Pillow's ramp beyond)",
        screen=(W, H), frames=[frame], global_palette=palette[:12])
    gif("bits1-interlaced-5x11.gif", "gif 2 colours, LZW code size 2, interlaced 5x11",
        screen=(5, 11), frames=[dict(x=0, y=0, w=5, h=11, indices=indices(5, 11, 2, 3), bits=2, interlace=True)],
        global_palette=palette[:6])
    gif("interlaced-1x1.gif", "gif 1x1 interlaced", screen=(1, 1),
        frames=[dict(x=0, y=0, w=1, h=1, indices=[3], bits=2, interlace=True)], global_palette=palette[:12])
    gif("clear-codes-small-blocks-%dx%d.gif" % (W, H), "gif LZW with a clear code every 50 codes, 7-byte sub-blocks",
        screen=(W, H), frames=[dict(frame, x=0, y=0, w=W, h=H, indices=indices(W, H, 256, 4), bits=8,
                                    clear_every=50, block_size=7)], global_palette=palette)
    ext = (b"!\xfe" + gif_sub_blocks(b"a comment") + b"!\xff" + gif_sub_blocks(b"NETSCAPE2.0") [:-1]
           + b"\x03\x01\x00\x00\x00" + b"!\x01" + gif_sub_blocks(b"plain text extension body") + b"\x07\x07")
    gif("extensions-junk-%dx%d.gif" % (W, H), "gif comment, NETSCAPE loop, plain text extension and junk bytes "
        "before the frame", screen=(W, H), frames=[frame], global_palette=palette[: 3 * 32], pre_blocks=ext)
    gif("two-frames-%dx%d.gif" % (W, H), "gif two frames (offsets, local palette): the first",
        screen=(W, H), frames=[dict(frame, transparency=2), dict(frame, x=0, y=0, palette=palette[:96])],
        global_palette=palette[96:192], version=b"GIF87a")

    # Damaged GIFs: Pillow's verdict on each. (Headers claiming huge sizes are made by the
    # tests themselves: as fixtures, the fuzz would decode them with no pixel limit.)
    def broken(name, kind, data):
        corrupt.append(damaged_entry(name, kind, data))

    base = open(os.path.join(OUT, "gif/frame-offset-global-%dx%d.gif" % (W, H)), "rb").read()
    data_at = base.index(b",") + 10  # the LZW code size byte
    broken("gif-code-size-13.gif", "gif LZW code size 13", base[:data_at] + b"\x0d" + base[data_at + 1 :])
    broken("gif-code-size-0.gif", "gif LZW code size 0", base[:data_at] + b"\x00" + base[data_at + 1 :])
    short = lzw_encode(bytes(frame["indices"][: fw * 10]), 5)
    broken("gif-early-end-code.gif", "gif LZW end code after 10 of 25 rows",
           base[: data_at + 1] + gif_sub_blocks(short) + b";")
    broken("gif-early-end-code-more-data.gif", "gif LZW end code after 10 rows, then a second frame's data",
           base[: data_at + 1] + gif_sub_blocks(short) + base[data_at:])
    broken("gif-zero-width-frame.gif", "gif first frame 0 pixels wide",
           base[: data_at - 5] + b"\x00\x00" + base[data_at - 3 :])
    lzw = bytearray(base)
    for k in range(data_at + 4, len(lzw) - 2, 37):
        lzw[k] ^= 0x5A
    broken("gif-lzw-bytes-flipped.gif", "gif with damaged LZW data", bytes(lzw))
    broken("gif-gce-short.gif", "gif graphic control extension of 2 bytes",
           base[:13 + 96] + b"!\xf9\x02\x01\x00\x00" + base[13 + 96 :])
    broken("gif-netscape-no-loop-block.gif", "gif NETSCAPE2.0 extension with no loop sub-block",
           base[:13 + 96] + b"!\xff" + gif_sub_blocks(b"NETSCAPE2.0") + base[13 + 96 :])
    broken("gif-empty-unknown-extension.gif", "gif unknown extension with no sub-block (Pillow then reads a tag as a length)",
           base[:13 + 96] + b"!\x02\x00" + base[13 + 96 :])
    broken("gif-trailer-first.gif", "gif trailer before any image", base[:13 + 96] + b";" + base[13 + 96 :])

    return decode, corrupt


def make_bmp():
    fresh_dir("bmp")
    decode, corrupt = [], []
    W, H = 61, 37
    rgb = Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 700))
    indices = fixture_indices

    def broken(name, kind, data):
        corrupt.append(damaged_entry(name, kind, data))

    def bmp(name, kind, data):
        rel = "bmp/" + name
        open(os.path.join(OUT, rel), "wb").write(data)
        decode.append(decode_entry(rel, kind, False))

    # Pillow's own: 1-bit, L (gray ramp palette: read as L), P, RGB, RGBA (32-bit BI_RGB).
    for mode, what in (("1", "1-bit black and white"), ("L", "8-bit gray ramp (read as L)"),
                       ("P", "8-bit palette"), ("RGB", "24-bit"), ("RGBA", "32-bit BGRA")):
        im = rgb.convert("RGBA") if mode == "RGBA" else rgb.quantize(100) if mode == "P" else rgb.convert(mode)
        rel = "bmp/pillow-%s-%dx%d.bmp" % (mode.lower(), W, H)
        im.save(os.path.join(OUT, rel), "BMP")
        decode.append(decode_entry(rel, "bmp written by Pillow, %s" % what, False))

    def pal(n, padding=4, seed=0):
        r = random.Random(seed)
        return b"".join(bytes([r.randint(0, 255), r.randint(0, 255), r.randint(0, 255)]) + b"\0" * (padding - 3)
                        for _ in range(n))

    def idx_rows(w, h, n, seed):
        flat = indices(w, h, n, seed)
        return [flat[y * w : (y + 1) * w] for y in range(h)]

    def rgb_rows(w, h, seed, fmt):
        px = rgb_pixels(w, h, seed)
        rows = []
        for y in range(h):
            row = bytearray()
            for x in range(w):
                r, g, b = px[3 * (y * w + x) : 3 * (y * w + x) + 3]
                row += fmt(r, g, b)
            rows.append(row)
        return rows

    for bits, n in ((1, 2), (4, 16), (8, 256)):
        for top in (False, True):
            rows = idx_rows(W, H, n, bits)
            bmp("pal%d-%s-%dx%d.bmp" % (bits, "topdown" if top else "bottomup", W, H),
                "bmp %d-bit palette %s" % (bits, "top-down" if top else "bottom-up"),
                bmp_file(bmp_info(W, -H if top else H, bits), pal(n, seed=bits), pixels=bmp_rows(rows, bits, top)))
    rows = idx_rows(W, H, 16, 41)
    bmp("pal8-colors16-%dx%d.bmp" % (W, H), "bmp 8-bit, 16-entry palette, indices to 15",
        bmp_file(bmp_info(W, H, 8, colors=16), pal(16, seed=5), pixels=bmp_rows(rows, 8, False)))
    rows = idx_rows(W, H, 64, 42)
    bmp("pal8-colors10-%dx%d.bmp" % (W, H), "bmp 8-bit, 10-entry palette, indices to 63 (Pillow's ramp beyond)",
        bmp_file(bmp_info(W, H, 8, colors=10), pal(10, seed=6), pixels=bmp_rows(rows, 8, False)))
    rows = idx_rows(W, H, 2, 43)
    bmp("pal8-two-colours-bw-%dx%d.bmp" % (W, H), "bmp 8-bit whose 2-entry palette is black and white "
        "(Pillow reads the rows as 1-bit)",
        bmp_file(bmp_info(W, H, 8, colors=2), b"\0\0\0\0\xff\xff\xff\0", pixels=bmp_rows(rows, 8, False)))
    rows = idx_rows(W, H, 2, 44)
    bmp("pal1-colour-%dx%d.bmp" % (W, H), "bmp 1-bit with two colours",
        bmp_file(bmp_info(W, H, 1), pal(2, seed=7), pixels=bmp_rows(rows, 1, False)))
    bgr = lambda r, g, b: bytes([b, g, r])
    for top in (False, True):
        bmp("rgb24-%s-%dx%d.bmp" % ("topdown" if top else "bottomup", W, H), "bmp 24-bit %s" % ("top-down" if top else "bottom-up"),
            bmp_file(bmp_info(W, -H if top else H, 24), pixels=bmp_rows(rgb_rows(W, H, 710, bgr), 24, top)))
    bmp("rgb32-bgrx-%dx%d.bmp" % (W, H), "bmp 32-bit BI_RGB (BGRX, the 4th byte ignored)",
        bmp_file(bmp_info(W, H, 32), pixels=bmp_rows(rgb_rows(W, H, 711, lambda r, g, b: bytes([b, g, r, (r * 7) & 255])), 32, False)))
    rgb555 = lambda r, g, b: struct.pack("<H", ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3))
    rgb565 = lambda r, g, b: struct.pack("<H", ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3))
    bmp("rgb16-555-%dx%d.bmp" % (W, H), "bmp 16-bit BI_RGB (5-5-5)",
        bmp_file(bmp_info(W, H, 16), pixels=bmp_rows(rgb_rows(W, H, 712, rgb555), 16, False)))
    bmp("bitfields16-565-%dx%d.bmp" % (W, H), "bmp 16-bit BITFIELDS 5-6-5 (masks after a 40-byte header)",
        bmp_file(bmp_info(W, H, 16, compression=3), masks=struct.pack("<III", 0xF800, 0x7E0, 0x1F),
                 pixels=bmp_rows(rgb_rows(W, H, 713, rgb565), 16, False)))
    bmp("bitfields16-555-v4-%dx%d.bmp" % (W, H), "bmp 16-bit BITFIELDS 5-5-5 in a V4 (108-byte) header",
        bmp_file(bmp_info(W, H, 16, compression=3, size=108, masks=(0x7C00, 0x3E0, 0x1F, 0)),
                 pixels=bmp_rows(rgb_rows(W, H, 714, rgb555), 16, False)))
    for masks, fmt, name in (((0xFF000000, 0xFF0000, 0xFF00, 0), lambda r, g, b: bytes([9, b, g, r]), "xbgr"),
                             ((0xFF, 0xFF00, 0xFF0000, 0xFF000000), lambda r, g, b: bytes([r, g, b, 77]), "rgba"),
                             ((0xFF0000, 0xFF00, 0xFF, 0xFF000000), lambda r, g, b: bytes([b, g, r, 200]), "bgra")):
        bmp("bitfields32-%s-v5-%dx%d.bmp" % (name, W, H), "bmp 32-bit BITFIELDS %s in a V5 (124-byte) header" % name.upper(),
            bmp_file(bmp_info(W, -H, 32, compression=3, size=124, masks=masks),
                     pixels=bmp_rows(rgb_rows(W, H, 715, fmt), 32, True)))
    os2 = lambda w, h, bits: struct.pack("<IHHHH", 12, w, h, 1, bits)
    bmp("os2-pal8-%dx%d.bmp" % (W, H), "bmp OS/2 1.x header, 8-bit, 3-byte palette entries",
        bmp_file(os2(W, H, 8), pal(256, padding=3, seed=8), pixels=bmp_rows(idx_rows(W, H, 256, 45), 8, False),
                 offset=14 + 12 + 768))
    bmp("os2-rgb24-%dx%d.bmp" % (W, H), "bmp OS/2 1.x header, 24-bit",
        bmp_file(os2(W, H, 24), pixels=bmp_rows(rgb_rows(W, H, 716, bgr), 24, False)))
    bmp("offset-after-header-%dx%d.bmp" % (W, H), "bmp 4-bit whose data offset points at the palette "
        "(Pillow skips 4 bytes a colour from there)",
        bmp_file(bmp_info(W, H, 4), pal(16, seed=9), pixels=bmp_rows(idx_rows(W, H, 16, 46), 4, False), offset=14 + 40))
    bmp("offset-gap-%dx%d.bmp" % (W, H), "bmp 8-bit with 37 bytes between palette and data",
        bmp_file(bmp_info(W, H, 8), pal(256, seed=10), pixels=bmp_rows(idx_rows(W, H, 256, 47), 8, False),
                 offset=14 + 40 + 1024 + 37))
    for rle4 in (False, True):
        n = 16 if rle4 else 256
        rows = [[(x // 5 + y // 3) % n if (x + y) % 11 else (x * y) % n for x in range(W)] for y in range(H)]
        for top in (False, True):
            comp = 2 if rle4 else 1
            bmp("rle%d-%s-%dx%d.bmp" % (4 if rle4 else 8, "topdown" if top else "bottomup", W, H),
                "bmp RLE%d %s" % (4 if rle4 else 8, "top-down" if top else "bottom-up"),
                bmp_file(bmp_info(W, -H if top else H, 4 if rle4 else 8, compression=comp), pal(n, seed=11),
                         pixels=rle_encode(rows, rle4, top)))
    # RLE quirks of Pillow 9.4, made so that it still decodes: a run past the row's
    # end (cut), a line ended early (zero padded), and a delta (it reads 4 bytes).
    rle = bytearray()
    for y in range(H):
        if y % 5 == 1:
            rle += bytes([40, 7]) + b"\x00\x00"  # 40 pixels, then end of line: index 0 to the end
        elif y % 5 == 3:
            rle += bytes([255, y]) + b"\x00\x00"  # a run longer than the row: cut at 61
        else:
            rle += bytes([30, y, 31, y + 1]) + b"\x00\x00"
    rle += b"\x00\x01"
    bmp("rle8-quirks-%dx%d.bmp" % (W, H), "bmp RLE8 with early line ends and runs past the row",
        bmp_file(bmp_info(W, H, 8, compression=1), pal(256, seed=12), pixels=bytes(rle)))
    rle = bytearray(bytes([61, 3]) + b"\x00\x00")
    rle += b"\x00\x02\x05\x01" + b"\x07\x01" + bytes([61 - 7, 9]) + b"\x00\x00"  # delta: Pillow takes right=7, up=1
    for y in range(H):
        rle += bytes([61, y]) + b"\x00\x00"
    rle += b"\x00\x01"
    bmp("rle8-delta-%dx%d.bmp" % (W, H), "bmp RLE8 with a delta (Pillow 9.4 skips two bytes and takes the next two)",
        bmp_file(bmp_info(W, H, 8, compression=1), pal(256, seed=13), pixels=bytes(rle)))
    rle = bytearray()
    for y in range(H):
        rle += b"\x00\x05\x12\x34\x56" + b"\x00" + bytes([56, 0x78]) + b"\x00\x00"
    rle += b"\x00\x01"
    bmp("rle4-odd-absolute-%dx%d.bmp" % (W, H), "bmp RLE4 with absolute runs of 5 (Pillow 9.4 reads 2 bytes, "
        "then aligns by file position)",
        bmp_file(bmp_info(W, H, 4, compression=2), pal(16, seed=14), pixels=bytes(rle)))
    rle = bytearray()
    for y in range(H):
        rle += b"\x00\x03\x11\x22\x33" + bytes([58, y]) + b"\x00\x00"
    rle += b"\x00\x01"
    bmp("rle8-odd-absolute-%dx%d.bmp" % (W, H), "bmp RLE8 with absolute runs of 3 (a padding byte after them)",
        bmp_file(bmp_info(W, H, 8, compression=1), pal(256, seed=15), pixels=bytes(rle)))

    # Damaged and refused BMPs: Pillow's verdict on each.
    p8 = open(os.path.join(OUT, "bmp/pal8-bottomup-%dx%d.bmp" % (W, H)), "rb").read()

    def patched(data, at, fmt, value):
        b = bytearray(data)
        struct.pack_into(fmt, b, at, value)
        return bytes(b)

    broken("bmp-bits-2.bmp", "bmp 2 bits a pixel (Pillow refuses)", patched(p8, 28, "<H", 2))
    broken("bmp-compression-jpeg.bmp", "bmp compression 4 (JPEG: Pillow refuses)", patched(p8, 30, "<I", 4))
    broken("bmp-header-52.bmp", "bmp with a 52-byte info header (Pillow refuses)", patched(p8, 14, "<I", 52))
    broken("bmp-bitfields-8bit.bmp", "bmp 8-bit with BITFIELDS (Pillow refuses)", patched(p8, 30, "<I", 3))
    broken("bmp-palette-300-colours.bmp", "bmp 8-bit claiming a 300-colour palette", patched(p8, 46, "<I", 300))
    broken("bmp-palette-70000-colours.bmp", "bmp 8-bit claiming a 70000-colour palette", patched(p8, 46, "<I", 70000))
    broken("bmp-zero-height.bmp", "bmp height 0", patched(p8, 22, "<i", 0))
    broken("bmp-offset-past-end.bmp", "bmp data offset past the end", patched(p8, 10, "<I", len(p8) + 10))
    b24 = open(os.path.join(OUT, "bmp/rgb24-bottomup-%dx%d.bmp" % (W, H)), "rb").read()
    broken("bmp-bitfields32-unknown-masks.bmp", "bmp 32-bit BITFIELDS with masks Pillow does not know",
           bmp_file(bmp_info(W, H, 32, compression=3, size=124, masks=(0x3FF00000, 0xFFC00, 0x3FF, 0)),
                    pixels=b"\x11" * (W * H * 4)))
    broken("bmp-rle8-on-24-bit.bmp", "bmp 24-bit with RLE8 compression", patched(b24, 30, "<I", 1))
    r8 = open(os.path.join(OUT, "bmp/rle8-bottomup-%dx%d.bmp" % (W, H)), "rb").read()
    broken("bmp-rle8-end-of-bitmap-early.bmp", "bmp RLE8 ending (end of bitmap) after 3 rows",
           r8[:r8.index(b"\x00\x00", 14 + 40 + 1024) + 2] + b"\x00\x01")
    g4 = bmp_file(bmp_info(W, H, 4), bytes(v for i in range(16) for v in (i, i, i, 0)),
                  pixels=bmp_rows(idx_rows(W, H, 16, 48), 4, False))
    broken("bmp-pal4-gray-ramp.bmp", "bmp 4-bit whose palette is a gray ramp (Pillow reads 8-bit L rows from 4-bit ones)", g4)
    return decode, corrupt


def only_gif_bmp():
    """Remakes the GIF and BMP fixtures and their manifest entries only."""
    warnings.simplefilter("ignore")
    manifest = json.load(open(os.path.join(OUT, "manifest.json")))
    keep = [e for e in manifest["decode"] if e["format"] not in ("gif", "bmp")]
    keep_corrupt = [e for e in manifest["corrupt"] if not e["corrupt"].startswith(("corrupt/gif-", "corrupt/bmp-"))]
    for name in os.listdir(os.path.join(OUT, "corrupt")):
        if name.startswith(("gif-", "bmp-")):
            os.remove(os.path.join(OUT, "corrupt", name))
    decode, corrupt = make_gif_bmp()
    write_manifest(keep + decode, manifest["encode"], keep_corrupt + corrupt)
    return len(decode), len(corrupt)


# ---------------------------------------------------------------- WebP


def make_webp():
    """WebP inputs of every kind Pillow 9.4 reads through libwebp's WebPAnimDecoder
    (lossy, lossless, alpha, animated: the first frame), with their goldens, damaged
    ones with Pillow's verdict, EXIF orientation cases (webp/orient.json) and Pillow's
    save() of a gray image as WebP (webp/encode.json). Returns (decode, corrupt)."""
    fresh_dir("webp")
    decode, corrupt = [], []
    W, H = 61, 37
    rgb = Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 900))
    alpha = Image.frombytes("L", (W, H), bytes((x * 7 + y * 3) & 255 for y in range(H) for x in range(W)))
    rgba = rgb.copy()
    rgba.putalpha(alpha)

    def webp(name, kind, im, **kw):
        rel = "webp/" + name
        im.save(os.path.join(OUT, rel), "WEBP", **kw)
        decode.append(decode_entry(rel, kind, False))

    webp("lossy-rgb-%dx%d.webp" % (W, H), "webp lossy (Pillow's defaults: quality 80, method 4)", rgb)
    webp("lossy-q30-m6-rgb-%dx%d.webp" % (W, H), "webp lossy quality 30, method 6", rgb, quality=30, method=6)
    webp("lossy-gray-%dx%d.webp" % (W, H), "webp lossy from an L image (saved as RGB)", rgb.convert("L"))
    webp("lossless-rgb-%dx%d.webp" % (W, H), "webp lossless", rgb, lossless=True)
    webp("lossy-rgba-%dx%d.webp" % (W, H), "webp lossy with alpha (VP8X, ALPH)", rgba)
    webp("lossless-rgba-%dx%d.webp" % (W, H), "webp lossless with alpha", rgba, lossless=True)
    webp("lossy-1x1.webp", "webp lossy 1x1", rgb.crop((5, 5, 6, 6)))
    webp("lossy-odd-257x3.webp", "webp lossy 257x3", Image.frombytes("RGB", (257, 3), rgb_pixels(257, 3, 901)))
    second = Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 902))
    webp("animated-lossy-%dx%d.webp" % (W, H), "webp animated (2 lossy frames): the first", rgb, save_all=True,
         append_images=[second], duration=50, loop=0)
    clear = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    clear.paste(rgba.crop((10, 6, 40, 30)), (10, 6))
    webp("animated-rgba-subframe-%dx%d.webp" % (W, H), "webp animated, first frame transparent outside 30x24",
         clear, save_all=True, append_images=[rgba], duration=50, loop=0, lossless=True)

    def broken(name, kind, data):
        corrupt.append(damaged_entry(name, kind, data))

    lossy = open(os.path.join(OUT, "webp/lossy-rgb-%dx%d.webp" % (W, H)), "rb").read()
    lossless = open(os.path.join(OUT, "webp/lossless-rgb-%dx%d.webp" % (W, H)), "rb").read()
    with_alpha = open(os.path.join(OUT, "webp/lossy-rgba-%dx%d.webp" % (W, H)), "rb").read()
    for name, base in (("lossy", lossy), ("lossless", lossless), ("alpha", with_alpha)):
        flipped = bytearray(base)
        for k in range(40, len(flipped), 29):
            flipped[k] ^= 0x5A
        broken("webp-%s-bytes-flipped.webp" % name, "webp %s with damaged data" % name, bytes(flipped))
    broken("webp-riff-size-long.webp", "webp RIFF size past the end of the file",
           lossy[:4] + struct.pack("<I", len(lossy) + 100) + lossy[8:])
    broken("webp-riff-size-short.webp", "webp RIFF size 40 bytes short of the file",
           lossy[:4] + struct.pack("<I", len(lossy) - 48) + lossy[8:])
    broken("webp-trailing-bytes.webp", "webp with 37 bytes after the RIFF chunk", lossy + bytes(range(37)))
    broken("webp-vp8-size-long.webp", "webp VP8 chunk size past the RIFF chunk",
           lossy[:16] + struct.pack("<I", len(lossy)) + lossy[20:])
    broken("webp-vp8x-canvas-small.webp", "webp VP8X canvas smaller than its image",
           with_alpha[:24] + struct.pack("<I", 9)[:3] + struct.pack("<I", 9)[:3] + with_alpha[30:])
    broken("webp-header-only.webp", "webp RIFF header and nothing else", lossy[:12])

    # EXIF orientation: Pillow writes the EXIF chunk without "Exif\0\0"; one file keeps it
    # (Pillow's Exif.load strips it when present). exif_transpose's result is the golden.
    cases = []
    for orientation in range(1, 9):
        for prefixed in (False, True) if orientation == 6 else (False,):
            payload = exif_orientation(orientation, orientation % 2 == 0)
            name = "webp/orient-%d%s.webp" % (orientation, "-exif-prefix" if prefixed else "")
            path = os.path.join(OUT, name)
            rgb.save(path, "WEBP", exif=payload)
            if prefixed:
                data = open(path, "rb").read()
                at = data.index(b"EXIF")
                size = struct.unpack("<I", data[at + 4 : at + 8])[0]
                body = b"Exif\x00\x00" + data[at + 8 : at + 8 + size]
                chunk_ = b"EXIF" + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")
                data = data[:at] + chunk_ + data[at + 8 + size + (size & 1) :]
                data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
                open(path, "wb").write(data)
            im = Image.open(path)
            got = im.getexif().get(0x0112, 0)
            oriented = ImageOps.exif_transpose(Image.open(path)).convert("L")
            base = name.rsplit(".", 1)[0]
            open(os.path.join(OUT, base + ".oriented.gray"), "wb").write(oriented.tobytes())
            cases.append({"file": name, "orientation": got, "width": oriented.size[0], "height": oriented.size[1],
                      "oriented": base + ".oriented.gray"})
    with open(os.path.join(OUT, "webp", "orient.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "libwebp": features.version("webp"), "cases": cases}, f, indent=1)

    # Pillow's save() of a gray (L) image as WebP: it converts L to RGB first.
    EW, EH = 97, 61
    source = Image.frombytes("RGB", (EW, EH), rgb_pixels(EW, EH, 903)).convert("L")
    source.save(os.path.join(OUT, "webp/encode-source-%dx%d.png" % (EW, EH)))
    encodes = []
    for name, kw in (("default", {}), ("q50", {"quality": 50}), ("q100", {"quality": 100}), ("q1-m4", {"quality": 1}),
                     ("lossless", {"lossless": True})):
        rel = "webp/encode-%s.webp" % name
        Image.open(os.path.join(OUT, "webp/encode-source-%dx%d.png" % (EW, EH))).save(os.path.join(OUT, rel), "WEBP", **kw)
        encodes.append({"source": "webp/encode-source-%dx%d.png" % (EW, EH), "options": kw, "file": rel})
    with open(os.path.join(OUT, "webp", "encode.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "libwebp": features.version("webp"), "cases": encodes}, f, indent=1)
    return decode, corrupt


def only_webp():
    """Remakes the WebP fixtures and their manifest entries only."""
    warnings.simplefilter("ignore")
    manifest = json.load(open(os.path.join(OUT, "manifest.json")))
    keep = [e for e in manifest["decode"] if e["format"] != "webp"]
    keep_corrupt = [e for e in manifest["corrupt"] if not e["corrupt"].startswith("corrupt/webp-")]
    for name in os.listdir(os.path.join(OUT, "corrupt")):
        if name.startswith("webp-"):
            os.remove(os.path.join(OUT, "corrupt", name))
    decode, corrupt = make_webp()
    write_manifest(keep + decode, manifest["encode"], keep_corrupt + corrupt)
    return len(decode), len(corrupt)


# ---------------------------------------------------------------- TIFF


def write_tiff(path, w, h, photometric, bits, samples, data, big_endian=False, extra=(), colormap=None,
               rows_per_strip=None, fill_order=None, orientation=None, planar=False, photometric_tag=True,
               sample_format=None, subsampling=None, deflate=False, lzw=False, bits_per_sample=None, samples_tag=True,
               compression=None):
    """A minimal uncompressed TIFF (one IFD, strips of `rows_per_strip` rows) for the
    variants Pillow does not write; tiffcp recompresses or tiles it. `data` is
    interleaved; `planar` stores it as separate planes (whole-byte samples), each
    plane's strips after the previous plane's (tiffcp -p separate does 8-bit only).
    `subsampling` (YCbCr, contiguous): `data` holds the sampling blocks (hs*vs Y, Cb,
    Cr) row of blocks after row of blocks, and the tag is written; `deflate`: each
    strip compressed with zlib (Compression 8); `lzw`: each strip as TIFF LZW of
    literal codes (Compression 5; tiffcp will not copy a subsampled image).
    `bits_per_sample`: the BitsPerSample values to write, when not `bits` once a
    sample; `samples_tag`: whether SamplesPerPixel is written; `compression`: the
    Compression value to write over the data as it is."""
    e = ">" if big_endian else "<"
    rps = rows_per_strip or h
    if planar:
        unit = max(1, bits // 8)
        pixel = unit * samples
        planes = [bytes(data[i * pixel + k * unit + b] for i in range(w * h) for b in range(unit)) if samples > 1 else data
                  for k in range(samples if samples > 1 else 1)]
        row = (w * bits * (1 if samples > 1 else samples) + 7) // 8
    elif subsampling:
        hs, vs = subsampling
        planes = [data]
        row = (w + hs - 1) // hs * (hs * vs + 2)  # one row of sampling blocks
    else:
        planes = [data]
        row = (w * bits * samples + 7) // 8
    if subsampling and not planar:
        block_rows, step = (h + vs - 1) // vs, (rps + vs - 1) // vs
        strips = [data[y * row : min(block_rows, y + step) * row] for y in range(0, block_rows, step)]
    else:
        strips = [plane[y * row : min(h, y + rps) * row] for plane in planes for y in range(0, h, rps)]
    if deflate:
        strips = [zlib.compress(strip, 9) for strip in strips]
    if lzw:
        strips = [tiff_lzw_literals(strip) for strip in strips]
    entries = []  # (tag, type, values)
    entries.append((256, 4, [w]))
    entries.append((257, 4, [h]))
    entries.append((258, 3, list(bits_per_sample) if bits_per_sample is not None else [bits] * samples))
    entries.append((259, 3, [compression or (8 if deflate else 5 if lzw else 1)]))
    if photometric_tag:
        entries.append((262, 3, [photometric]))
    if fill_order:
        entries.append((266, 3, [fill_order]))
    entries.append((273, 4, [0] * len(strips)))  # patched below
    if orientation:
        entries.append((274, 3, [orientation]))
    if samples_tag:
        entries.append((277, 3, [samples]))
    entries.append((278, 4, [rps]))
    entries.append((279, 4, [len(s) for s in strips]))
    if planar:
        entries.append((284, 3, [2]))
    if colormap:
        entries.append((320, 3, colormap))
    if sample_format:
        entries.append((339, 3, [sample_format] * samples))
    if extra:
        entries.append((338, 3, list(extra)))
    if subsampling:
        entries.append((530, 3, list(subsampling)))
    entries.sort()
    n = len(entries)
    ifd_size = 2 + n * 12 + 4
    blob_at = 8 + ifd_size
    blobs = b""
    pixel_at = None
    def size_of(t):
        return {3: 2, 4: 4}[t]
    # Out-of-line values first, then the pixel data.
    layout = {}
    for tag, t, values in entries:
        nbytes = size_of(t) * len(values)
        if nbytes > 4:
            layout[tag] = blob_at + len(blobs)
            blobs += b"\0" * nbytes
            if len(blobs) % 2:
                blobs += b"\0"
    pixel_at = blob_at + len(blobs)
    offsets, at = [], pixel_at
    for strip in strips:
        offsets.append(at)
        at += len(strip)
    entries = [(tag, t, offsets if tag == 273 else values) for tag, t, values in entries]
    out = bytearray((b"MM\0*" if big_endian else b"II*\0") + struct.pack(e + "I", 8))
    out += struct.pack(e + "H", n)
    blob = bytearray(blobs)
    for tag, t, values in entries:
        packed = b"".join(struct.pack(e + ("H" if t == 3 else "I"), v) for v in values)
        if len(packed) > 4:
            off = layout[tag] - blob_at
            blob[off : off + len(packed)] = packed
            out += struct.pack(e + "HHII", tag, t, len(values), layout[tag])
        else:
            out += struct.pack(e + "HHI", tag, t, len(values)) + packed.ljust(4, b"\0")
    out += struct.pack(e + "I", 0)
    out += blob
    for strip in strips:
        out += strip
    open(path, "wb").write(bytes(out))


def write_ojpeg_tiff(path, w, h, jpeg, subsampling):
    """An old-style JPEG TIFF (Compression 6, which nothing writes any more): one strip
    holding a whole JFIF stream, which JPEGInterchangeFormat points at too, as
    libtiff's OJPEG reader takes it; YCbCr, 8-bit, little-endian."""
    entries = [(256, 4, [w]), (257, 4, [h]), (258, 3, [8, 8, 8]), (259, 3, [6]), (262, 3, [6]), (273, 4, [0]),
               (277, 3, [3]), (278, 4, [h]), (279, 4, [len(jpeg)]), (513, 4, [0]), (514, 4, [len(jpeg)]),
               (530, 3, list(subsampling))]
    bits_at = 8 + 2 + 12 * len(entries) + 4
    jpeg_at = bits_at + 6
    out = bytearray(b"II*\0" + struct.pack("<IH", 8, len(entries)))
    for tag, t, values in entries:
        if tag in (273, 513):
            values = [jpeg_at]
        packed = struct.pack("<I", bits_at) if tag == 258 else b"".join(struct.pack("<H" if t == 3 else "<I", v) for v in values)
        out += struct.pack("<HHI", tag, t, len(values)) + packed.ljust(4, b"\0")
    out += struct.pack("<I", 0) + struct.pack("<3H", 8, 8, 8) + jpeg
    open(path, "wb").write(bytes(out))


def tiff_lzw_literals(data):
    """TIFF LZW (MSB-first codes) of `data` as one literal code a byte: 9-bit codes, a
    ClearCode before the table the decoder builds would widen them, EOI at the end."""
    codes = [256]
    for i, b in enumerate(data):
        if i and i % 200 == 0:
            codes.append(256)
        codes.append(b)
    codes.append(257)
    return pack_msb_first(codes, 9)


def pack_msb_first(values, bits):
    """`values` of `bits` bits each, packed most significant bit first, the last byte padded with zeros."""
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << bits) | v
        n += bits
        while n >= 8:
            out.append((acc >> (n - 8)) & 255)
            n -= 8
    if n:
        out.append((acc << (8 - n)) & 255)
    return bytes(out)


def tiff_set_short(data, tag, value):
    """A copy of a TIFF with IFD0's `tag` (a SHORT held in its entry) set to `value`."""
    e = "<" if data[:2] == b"II" else ">"
    ifd = struct.unpack(e + "I", data[4:8])[0]
    n = struct.unpack(e + "H", data[ifd : ifd + 2])[0]
    out = bytearray(data)
    for i in range(n):
        at = ifd + 2 + 12 * i
        if struct.unpack(e + "H", data[at : at + 2])[0] == tag:
            out[at + 8 : at + 10] = struct.pack(e + "H", value)
            return bytes(out)
    raise ValueError("no tag %d" % tag)


def make_tiff():
    """TIFF inputs of every kind offloop reads, with Pillow's convert('L') goldens: Pillow's
    own saves (raw, LZW, Deflate, PackBits, JPEG, Group 4), hand-written ones for what
    Pillow does not write (2/4-bit gray and palettes, 16-bit RGB, associated alpha, RGBX,
    min-is-white, big-endian, fill order 2, CMYK, separate planes), tiffcp's recompressions, strips and tiles; the
    variants refused (tiff/refused.json), damaged files, and the Orientation tag's cases
    (tiff/orient.json). Returns (decode, corrupt)."""
    fresh_dir("tiff")
    decode, corrupt = [], []
    W, H = 61, 37
    rgb = Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 1900))
    alpha = Image.frombytes("L", (W, H), bytes((x * 7 + y * 3) & 255 for y in range(H) for x in range(W)))
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    gray = rgb.convert("L")
    rnd = random.Random(1901)

    def entry(name, kind):
        decode.append(decode_entry("tiff/" + name, kind, False))

    def pillow(name, kind, im, **kw):
        im.save(os.path.join(OUT, "tiff", name), "TIFF", **kw)
        entry(name, kind)

    def tiffcp(source, name, kind, *args):
        run(["tiffcp", *args, os.path.join(OUT, "tiff", source), os.path.join(OUT, "tiff", name)])
        # tiffcp writes Orientation 1; without it the file is like the others (orientation 0).
        run(["tiffset", "-u", "Orientation", os.path.join(OUT, "tiff", name)])
        entry(name, kind)

    def hand(name, kind, *args, **kw):
        write_tiff(os.path.join(OUT, "tiff", name), *args, **kw)
        entry(name, kind)

    # Pillow's own saves.
    pillow("rgb-raw-%dx%d.tif" % (W, H), "tiff rgb 8-bit uncompressed (Pillow)", rgb)
    pillow("rgb-lzw-%dx%d.tif" % (W, H), "tiff rgb 8-bit LZW (Pillow)", rgb, compression="tiff_lzw")
    pillow("rgb-deflate-%dx%d.tif" % (W, H), "tiff rgb 8-bit Deflate (Pillow)", rgb, compression="tiff_adobe_deflate")
    pillow("rgb-packbits-%dx%d.tif" % (W, H), "tiff rgb 8-bit PackBits (Pillow)", rgb, compression="packbits")
    pillow("rgb-jpeg-%dx%d.tif" % (W, H), "tiff rgb JPEG (Pillow)", rgb, compression="jpeg")
    pillow("rgba-raw-%dx%d.tif" % (W, H), "tiff rgba 8-bit unassociated alpha (Pillow)", rgba)
    pillow("rgba-lzw-%dx%d.tif" % (W, H), "tiff rgba 8-bit LZW (Pillow)", rgba, compression="tiff_lzw")
    pillow("gray-raw-%dx%d.tif" % (W, H), "tiff gray 8-bit (Pillow)", gray)
    pillow("gray-deflate-%dx%d.tif" % (W, H), "tiff gray 8-bit Deflate (Pillow)", gray, compression="tiff_adobe_deflate")
    pillow("la-raw-%dx%d.tif" % (W, H), "tiff gray+alpha 8-bit (Pillow)", gray.convert("LA"))
    pillow("pal8-raw-%dx%d.tif" % (W, H), "tiff palette 8-bit (Pillow)", rgb.quantize(200))
    pillow("pal8-lzw-%dx%d.tif" % (W, H), "tiff palette 8-bit LZW (Pillow)", rgb.quantize(37), compression="tiff_lzw")
    bilevel = gray.point(lambda v: 255 if v > 110 else 0).convert("1", dither=Image.Dither.NONE)
    pillow("bilevel-raw-%dx%d.tif" % (W, H), "tiff bilevel (Pillow)", bilevel)
    pillow("bilevel-g4-%dx%d.tif" % (W, H), "tiff bilevel CCITT Group 4 (Pillow)", bilevel, compression="group4")
    g16 = Image.frombytes("I;16", (W, H), b"".join(struct.pack("<H", (x * 23 + y * 7) % 600 if (x + y) % 3 else rnd.randint(0, 65535)) for y in range(H) for x in range(W)))
    pillow("gray16-raw-%dx%d.tif" % (W, H), "tiff gray 16-bit little-endian (Pillow): L clips at 255", g16)
    pillow("gray16-lzw-%dx%d.tif" % (W, H), "tiff gray 16-bit LZW (Pillow)", g16, compression="tiff_lzw")
    g16b = Image.frombytes("I;16B", (W, H), b"".join(struct.pack(">H", (x * 19 + y * 5) % 500) for y in range(H) for x in range(W)))
    pillow("gray16be-raw-%dx%d.tif" % (W, H), "tiff gray 16-bit big-endian (Pillow, I;16B)", g16b)
    second = Image.frombytes("RGB", (W, H), rgb_pixels(W, H, 1902))
    pillow("pages-2-%dx%d.tif" % (W, H), "tiff two pages: the first", rgb, save_all=True, append_images=[second])
    pillow("rgb-1x1.tif", "tiff rgb 1x1", rgb.crop((5, 5, 6, 6)))
    pillow("rgb-odd-257x3.tif", "tiff rgb 257x3 LZW", Image.frombytes("RGB", (257, 3), rgb_pixels(257, 3, 1903)), compression="tiff_lzw")

    # Hand-written variants Pillow does not write.
    packed = pack_msb_first

    def rows_of(bits, samples, value):
        return b"".join(packed([value(x, y, s) for x in range(W) for s in range(samples)], bits) for y in range(H))

    for bits in (2, 4):
        m = (1 << bits) - 1
        data = rows_of(bits, 1, lambda x, y, s: (x + 2 * y) % (m + 1))
        hand("gray%d-%dx%d.tif" % (bits, W, H), "tiff gray %d-bit" % bits, W, H, 1, bits, 1, data)
        hand("gray%d-miniswhite-%dx%d.tif" % (bits, W, H), "tiff gray %d-bit min-is-white" % bits, W, H, 0, bits, 1, data)
        cmap = [rnd.randint(0, 65535) for _ in range(3 * (1 << bits))]
        hand("pal%d-%dx%d.tif" % (bits, W, H), "tiff palette %d-bit" % bits, W, H, 3, bits, 1, data, colormap=cmap)
    cmap1 = [rnd.randint(0, 65535) for _ in range(6)]
    hand("pal1-%dx%d.tif" % (W, H), "tiff palette 1-bit", W, H, 3, 1, 1, rows_of(1, 1, lambda x, y, s: (x ^ y) & 1), colormap=cmap1)
    gbytes = gray.tobytes()
    hand("gray-miniswhite-%dx%d.tif" % (W, H), "tiff gray 8-bit min-is-white", W, H, 0, 8, 1, gbytes)
    hand("gray-be-fill2-%dx%d.tif" % (W, H), "tiff gray 8-bit big-endian, fill order 2", W, H, 1, 8, 1, gbytes, big_endian=True, fill_order=2)
    hand("bilevel-miniswhite-%dx%d.tif" % (W, H), "tiff bilevel min-is-white", W, H, 0, 1, 1, rows_of(1, 1, lambda x, y, s: ((x // 3) ^ (y // 2)) & 1))
    g16min = b"".join(struct.pack("<H", (x * 31 + y * 11) % 700) for y in range(H) for x in range(W))
    hand("gray16-miniswhite-%dx%d.tif" % (W, H), "tiff gray 16-bit min-is-white (Pillow: I;16, not inverted)", W, H, 0, 16, 1, g16min)
    rgbb = rgb.tobytes()
    abytes = alpha.tobytes()
    def premultiplied(x):
        return x
    rgba_assoc = bytearray()
    rgbx = bytearray()
    for i in range(W * H):
        a = abytes[i]
        r, g, b = rgbb[3 * i : 3 * i + 3]
        rgba_assoc += bytes((r * a // 255, g * a // 255, b * a // 255, a))
        rgbx += bytes((r, g, b, (i * 13) & 255))
    hand("rgba-assoc-%dx%d.tif" % (W, H), "tiff rgba 8-bit associated alpha (Pillow unpremultiplies)", W, H, 2, 8, 4, bytes(rgba_assoc), extra=(1,))
    hand("rgbx-%dx%d.tif" % (W, H), "tiff rgb + unspecified extra sample (RGBX)", W, H, 2, 8, 4, bytes(rgbx), extra=(0,))
    hand("rgba-noextra-%dx%d.tif" % (W, H), "tiff 4 samples with no ExtraSamples (RGBA)", W, H, 2, 8, 4, bytes(rgbx))
    hand("rgba-be-%dx%d.tif" % (W, H), "tiff rgba 8-bit big-endian", W, H, 2, 8, 4, rgba.tobytes(), big_endian=True, extra=(2,))
    rgb16 = b"".join(struct.pack("<HHH", *[rnd.randint(0, 65535) for _ in range(3)]) for _ in range(W * H))
    hand("rgb16-%dx%d.tif" % (W, H), "tiff rgb 16-bit little-endian: the high bytes", W, H, 2, 16, 3, rgb16)
    rgb16be = b"".join(struct.pack(">HHH", *[rnd.randint(0, 65535) for _ in range(3)]) for _ in range(W * H))
    hand("rgb16be-%dx%d.tif" % (W, H), "tiff rgb 16-bit big-endian", W, H, 2, 16, 3, rgb16be, big_endian=True)
    rgba16 = bytearray()
    for _ in range(W * H):
        a = rnd.choice([0, 65535, rnd.randint(0, 65535)])
        rgba16 += struct.pack("<HHHH", *[rnd.randint(0, a) for _ in range(3)], a)
    hand("rgba16-assoc-%dx%d.tif" % (W, H), "tiff rgba 16-bit associated alpha", W, H, 2, 16, 4, bytes(rgba16), extra=(1,))
    hand("rgba16-%dx%d.tif" % (W, H), "tiff rgba 16-bit unassociated alpha", W, H, 2, 16, 4, bytes(rgba16), extra=(2,))
    hand("rgb-strips5-%dx%d.tif" % (W, H), "tiff rgb, 5 rows per strip", W, H, 2, 8, 3, rgbb, rows_per_strip=5)

    # CMYK (Pillow's "CMYK", "CMYKX", "CMYKXX", "CMYK;16L"): CMYK -> RGB -> L.
    cmyk = cmyk_pixels(W, H, 1904)
    hand("cmyk-%dx%d.tif" % (W, H), "tiff cmyk 8-bit", W, H, 5, 8, 4, cmyk)
    hand("cmyk-be-%dx%d.tif" % (W, H), "tiff cmyk 8-bit big-endian", W, H, 5, 8, 4, cmyk, big_endian=True)
    cmykx = bytes(v for i in range(W * H) for v in cmyk[4 * i : 4 * i + 4] + bytes(((i * 13) & 255,)))
    hand("cmykx-%dx%d.tif" % (W, H), "tiff cmyk + unspecified extra sample (CMYKX)", W, H, 5, 8, 5, cmykx, extra=(0,))
    cmykxx = bytes(v for i in range(W * H) for v in cmyk[4 * i : 4 * i + 4] + bytes(((i * 13) & 255, (i * 7) & 255)))
    hand("cmykxx-%dx%d.tif" % (W, H), "tiff cmyk + two unspecified extra samples (CMYKXX)", W, H, 5, 8, 6, cmykxx, extra=(0, 0))
    cmyk16 = b"".join(struct.pack("<HHHH", *[rnd.randint(0, 65535) for _ in range(4)]) for _ in range(W * H))
    hand("cmyk16-%dx%d.tif" % (W, H), "tiff cmyk 16-bit little-endian: the high bytes", W, H, 5, 16, 4, cmyk16)

    # tiffcp: other compressions, strips and tiles.
    raw = "rgb-raw-%dx%d.tif" % (W, H)
    tiffcp(raw, "rgb-lzw-pred2-%dx%d.tif" % (W, H), "tiff rgb LZW with horizontal predictor (tiffcp)", "-c", "lzw:2")
    tiffcp(raw, "rgb-zip-pred2-strips7-%dx%d.tif" % (W, H), "tiff rgb Deflate, predictor, 7 rows per strip (tiffcp)", "-c", "zip:2", "-r", "7")
    tiffcp(raw, "rgb-jpeg-ycbcr-%dx%d.tif" % (W, H), "tiff YCbCr JPEG 2x2 (tiffcp)", "-c", "jpeg", "-r", "16")
    tiffcp(raw, "rgb-jpeg-rgb-%dx%d.tif" % (W, H), "tiff RGB JPEG (tiffcp -c jpeg:r)", "-c", "jpeg:r", "-r", "8")
    tiffcp(raw, "rgb-tiles16-lzw-%dx%d.tif" % (W, H), "tiff rgb 16x16 tiles LZW (tiffcp)", "-c", "lzw", "-t", "-w", "16", "-l", "16")
    tiffcp(raw, "rgb-tiles32x16-raw-%dx%d.tif" % (W, H), "tiff rgb 32x16 tiles uncompressed (tiffcp)", "-c", "none", "-t", "-w", "32", "-l", "16")
    tiffcp(raw, "rgb-tiles-jpeg-%dx%d.tif" % (W, H), "tiff YCbCr JPEG 32x32 tiles (tiffcp)", "-c", "jpeg", "-t", "-w", "32", "-l", "32")
    tiffcp("gray16-raw-%dx%d.tif" % (W, H), "gray16-tiles-zip-%dx%d.tif" % (W, H), "tiff gray 16-bit 16x16 tiles Deflate (tiffcp)", "-c", "zip", "-t", "-w", "16", "-l", "16")
    tiffcp("pal4-%dx%d.tif" % (W, H), "pal4-packbits-%dx%d.tif" % (W, H), "tiff palette 4-bit PackBits (tiffcp)", "-c", "packbits")
    tiffcp("bilevel-miniswhite-%dx%d.tif" % (W, H), "bilevel-miniswhite-g3-%dx%d.tif" % (W, H), "tiff bilevel min-is-white CCITT Group 3 (tiffcp)", "-c", "g3")
    tiffcp("rgba-raw-%dx%d.tif" % (W, H), "rgba-tiles-zip-%dx%d.tif" % (W, H), "tiff rgba 16x32 tiles Deflate (tiffcp)", "-c", "zip", "-t", "-w", "16", "-l", "32")
    tiffcp("la-raw-%dx%d.tif" % (W, H), "la-lzw-be-%dx%d.tif" % (W, H), "tiff gray+alpha LZW big-endian (tiffcp -B)", "-c", "lzw", "-B")
    tiffcp("cmyk-%dx%d.tif" % (W, H), "cmyk-lzw-%dx%d.tif" % (W, H), "tiff cmyk LZW (tiffcp)", "-c", "lzw")
    tiffcp("cmyk-%dx%d.tif" % (W, H), "cmyk-jpeg-%dx%d.tif" % (W, H), "tiff cmyk JPEG (tiffcp)", "-c", "jpeg", "-r", "16")
    tiffcp("cmyk-%dx%d.tif" % (W, H), "cmyk-tiles-zip-%dx%d.tif" % (W, H), "tiff cmyk 16x16 tiles Deflate (tiffcp)", "-c", "zip", "-t", "-w", "16", "-l", "16")
    tiffcp("cmyk16-%dx%d.tif" % (W, H), "cmyk16-lzw-%dx%d.tif" % (W, H), "tiff cmyk 16-bit LZW (tiffcp)", "-c", "lzw")

    # Separate planes. Compressed ones go through libtiff in Pillow (one plane per band; RGBA
    # unpremultiplied when libtiff calls its first extra sample unspecified or associated),
    # uncompressed ones through Pillow's raw decoder (the raw mode's k-th letter for plane k:
    # min-is-white not inverted).
    def planar(name, kind, compress, *args, **kw):
        write_tiff(os.path.join(OUT, "tiff", "planar-source.tif"), *args, planar=True, **kw)
        if compress is None:
            os.replace(os.path.join(OUT, "tiff", "planar-source.tif"), os.path.join(OUT, "tiff", name))
            entry(name, kind)
        else:
            tiffcp("planar-source.tif", name, kind, *compress)
            os.remove(os.path.join(OUT, "tiff", "planar-source.tif"))
    sep = ("-p", "separate")
    tiffcp(raw, "rgb-planar-raw-%dx%d.tif" % (W, H), "tiff rgb separate planes uncompressed", *sep)
    tiffcp(raw, "rgb-planar-lzw-%dx%d.tif" % (W, H), "tiff rgb separate planes LZW", *sep, "-c", "lzw")
    tiffcp(raw, "rgb-planar-tiles-raw-%dx%d.tif" % (W, H), "tiff rgb separate planes 16x16 tiles uncompressed", *sep, "-t", "-w", "16", "-l", "16")
    tiffcp(raw, "rgb-planar-tiles-zip-%dx%d.tif" % (W, H), "tiff rgb separate planes 16x16 tiles Deflate", *sep, "-c", "zip", "-t", "-w", "16", "-l", "16")
    tiffcp(raw, "rgb-planar-jpeg-%dx%d.tif" % (W, H), "tiff rgb separate planes JPEG (RGB)", *sep, "-c", "jpeg:r", "-r", "16")
    tiffcp("rgba-raw-%dx%d.tif" % (W, H), "rgba-planar-raw-%dx%d.tif" % (W, H), "tiff rgba separate planes uncompressed", *sep)
    tiffcp("rgba-raw-%dx%d.tif" % (W, H), "rgba-planar-zip-%dx%d.tif" % (W, H), "tiff rgba separate planes Deflate", *sep, "-c", "zip")
    tiffcp("rgba-assoc-%dx%d.tif" % (W, H), "rgba-assoc-planar-lzw-%dx%d.tif" % (W, H), "tiff rgba associated alpha separate planes LZW", *sep, "-c", "lzw")
    tiffcp("rgba-noextra-%dx%d.tif" % (W, H), "rgba-noextra-planar-raw-%dx%d.tif" % (W, H), "tiff 4 samples, no ExtraSamples, separate planes uncompressed (not unpremultiplied)", *sep)
    tiffcp("rgba-noextra-%dx%d.tif" % (W, H), "rgba-noextra-planar-lzw-%dx%d.tif" % (W, H), "tiff 4 samples, no ExtraSamples, separate planes LZW (Pillow unpremultiplies)", *sep, "-c", "lzw")
    tiffcp("rgbx-%dx%d.tif" % (W, H), "rgbx-planar-raw-%dx%d.tif" % (W, H), "tiff rgbx separate planes uncompressed", *sep)
    tiffcp("rgbx-%dx%d.tif" % (W, H), "rgbx-planar-lzw-%dx%d.tif" % (W, H), "tiff rgbx separate planes LZW", *sep, "-c", "lzw")
    tiffcp("cmyk-%dx%d.tif" % (W, H), "cmyk-planar-raw-%dx%d.tif" % (W, H), "tiff cmyk separate planes uncompressed", *sep)
    tiffcp("cmyk-%dx%d.tif" % (W, H), "cmyk-planar-lzw-%dx%d.tif" % (W, H), "tiff cmyk separate planes LZW", *sep, "-c", "lzw")
    tiffcp("cmykx-%dx%d.tif" % (W, H), "cmykx-planar-tiles-lzw-%dx%d.tif" % (W, H), "tiff cmykx separate planes 16x16 tiles LZW (4 planes read)", *sep, "-c", "lzw", "-t", "-w", "16", "-l", "16")
    tiffcp("la-raw-%dx%d.tif" % (W, H), "la-planar-lzw-%dx%d.tif" % (W, H), "tiff gray+alpha separate planes LZW", *sep, "-c", "lzw")
    planar("rgbxx-planar-raw-%dx%d.tif" % (W, H), "tiff rgb + 2 unspecified samples separate planes uncompressed", None, W, H, 2, 8, 5,
           bytes(v for i in range(W * H) for v in rgbx[4 * i : 4 * i + 4] + bytes(((i * 5) & 255,))), extra=(0, 0))
    planar("rgb16-planar-lzw-%dx%d.tif" % (W, H), "tiff rgb 16-bit separate planes LZW", ("-c", "lzw"), W, H, 2, 16, 3, rgb16)
    planar("rgba16-assoc-planar-zip-%dx%d.tif" % (W, H), "tiff rgba 16-bit associated alpha separate planes Deflate", ("-c", "zip"), W, H, 2, 16, 4, bytes(rgba16), extra=(1,))
    planar("cmyk16-planar-lzw-%dx%d.tif" % (W, H), "tiff cmyk 16-bit separate planes LZW", ("-c", "lzw"), W, H, 5, 16, 4, cmyk16)
    planar("gray-miniswhite-planar-raw-%dx%d.tif" % (W, H), "tiff gray min-is-white, PlanarConfiguration 2, uncompressed (Pillow: not inverted)", None, W, H, 0, 8, 1, gbytes)
    planar("gray-miniswhite-planar-lzw-%dx%d.tif" % (W, H), "tiff gray min-is-white, PlanarConfiguration 2, LZW (inverted)", ("-c", "lzw"), W, H, 0, 8, 1, gbytes)
    planar("bilevel-miniswhite-planar-raw-%dx%d.tif" % (W, H), "tiff bilevel min-is-white, PlanarConfiguration 2, uncompressed (Pillow: not inverted)", None, W, H, 0, 1, 1, rows_of(1, 1, lambda x, y, s: ((x // 3) ^ (y // 2)) & 1))
    planar("gray16-planar-lzw-%dx%d.tif" % (W, H), "tiff gray 16-bit, PlanarConfiguration 2, LZW", ("-c", "lzw"), W, H, 1, 16, 1, g16min)

    # BitsPerSample counts Pillow 9.4 reads: one value for every sample, more values than samples (cut).
    hand("rgb-bps1-%dx%d.tif" % (W, H), "tiff rgb, one BitsPerSample value for 3 samples", W, H, 2, 8, 3, rgbb, bits_per_sample=[8])
    hand("rgb-bps1-deflate-%dx%d.tif" % (W, H), "tiff rgb Deflate, one BitsPerSample value for 3 samples", W, H, 2, 8, 3, rgbb, bits_per_sample=[8], deflate=True)
    hand("rgba-bps5-%dx%d.tif" % (W, H), "tiff rgba, 5 BitsPerSample values for 4 samples", W, H, 2, 8, 4, rgba.tobytes(), extra=(2,), bits_per_sample=[8] * 5)
    hand("rgb-bps-8-8-8-16-%dx%d.tif" % (W, H), "tiff rgb, BitsPerSample 8,8,8,16 for 3 samples (the 4th value cut)", W, H, 2, 8, 3, rgbb, bits_per_sample=[8, 8, 8, 16])
    hand("gray-bps3-%dx%d.tif" % (W, H), "tiff gray, 3 BitsPerSample values for 1 sample", W, H, 1, 8, 1, gbytes, bits_per_sample=[8, 8, 8])
    hand("cmyk-bps1-%dx%d.tif" % (W, H), "tiff cmyk, one BitsPerSample value for 4 samples", W, H, 5, 8, 4, cmyk, bits_per_sample=[8])

    # No PhotometricInterpretation: Pillow takes 0 (min-is-white), where libtiff guesses.
    hand("gray-nophotometric-%dx%d.tif" % (W, H), "tiff gray 8-bit without PhotometricInterpretation (Pillow: min-is-white)", W, H, 1, 8, 1, gbytes, photometric_tag=False)
    hand("bilevel-nophotometric-%dx%d.tif" % (W, H), "tiff bilevel without PhotometricInterpretation (Pillow: min-is-white)", W, H, 1, 1, 1, rows_of(1, 1, lambda x, y, s: ((x // 3) ^ (y // 2)) & 1), photometric_tag=False)
    hand("gray16-nophotometric-%dx%d.tif" % (W, H), "tiff gray 16-bit without PhotometricInterpretation (I;16)", W, H, 1, 16, 1, g16min, photometric_tag=False)
    hand("pal4-nophotometric-%dx%d.tif" % (W, H), "tiff 4-bit with a ColorMap, without PhotometricInterpretation (Pillow: min-is-white gray)", W, H, 3, 4, 1,
         rows_of(4, 1, lambda x, y, s: (x + 2 * y) % 16), colormap=[rnd.randint(0, 65535) for _ in range(48)], photometric_tag=False)
    tiffcp("gray-nophotometric-%dx%d.tif" % (W, H), "gray-nophotometric-lzw-%dx%d.tif" % (W, H), "tiff gray 8-bit LZW without PhotometricInterpretation", "-c", "lzw")
    run(["tiffset", "-u", "262", os.path.join(OUT, "tiff", "gray-nophotometric-lzw-%dx%d.tif" % (W, H))])
    decode[-1] = decode_entry("tiff/gray-nophotometric-lzw-%dx%d.tif" % (W, H), decode[-1]["kind"], False)

    # Pillow's "F" (32-bit float: f2l truncates and clips, NaN 0) and "I" (signed 16/32-bit, unsigned 32-bit: i2l clips).
    specials = [float("nan"), -1.0, 0.0, 0.5, 1.999, 254.99, 255.0, 300.0, float("inf"), float("-inf"), -0.0, 1e-30]
    floats = specials + [(x * 5.3 + y * 3.1) % 290 - 20 for y in range(H) for x in range(W)][len(specials):]
    ints = [-5, 0, 1, 254, 255, 256, 2 ** 31 - 1, -2 ** 31] + [(x * 7 + y * 11) % 420 - 60 for y in range(H) for x in range(W)][8:]
    hand("float32-%dx%d.tif" % (W, H), "tiff gray 32-bit float (F)", W, H, 1, 32, 1, struct.pack("<%df" % (W * H), *floats), sample_format=3)
    hand("float32-be-%dx%d.tif" % (W, H), "tiff gray 32-bit float big-endian (F;32BF)", W, H, 1, 32, 1, struct.pack(">%df" % (W * H), *floats), big_endian=True, sample_format=3)
    hand("float32-miniswhite-%dx%d.tif" % (W, H), "tiff gray 32-bit float min-is-white (F, not inverted)", W, H, 0, 32, 1, struct.pack("<%df" % (W * H), *floats), sample_format=3)
    tiffcp("float32-%dx%d.tif" % (W, H), "float32-lzw-%dx%d.tif" % (W, H), "tiff gray 32-bit float LZW (tiffcp)", "-c", "lzw")
    hand("int32-%dx%d.tif" % (W, H), "tiff gray 32-bit signed (I;32S)", W, H, 1, 32, 1, struct.pack("<%di" % (W * H), *ints), sample_format=2)
    hand("int32-be-%dx%d.tif" % (W, H), "tiff gray 32-bit signed big-endian (I;32BS)", W, H, 1, 32, 1, struct.pack(">%di" % (W * H), *ints), big_endian=True, sample_format=2)
    hand("uint32-%dx%d.tif" % (W, H), "tiff gray 32-bit unsigned (I;32N: read as signed)", W, H, 1, 32, 1, struct.pack("<%dI" % (W * H), *[v & 0xFFFFFFFF for v in ints]))
    tiffcp("int32-%dx%d.tif" % (W, H), "int32-zip-%dx%d.tif" % (W, H), "tiff gray 32-bit signed Deflate (tiffcp)", "-c", "zip")
    int16 = [max(-32768, min(32767, v)) for v in ints]
    hand("int16-%dx%d.tif" % (W, H), "tiff gray 16-bit signed (I;16S)", W, H, 1, 16, 1, struct.pack("<%dh" % (W * H), *int16), sample_format=2)
    hand("int16-be-%dx%d.tif" % (W, H), "tiff gray 16-bit signed big-endian (I;16BS)", W, H, 1, 16, 1, struct.pack(">%dh" % (W * H), *int16), big_endian=True, sample_format=2)
    tiffcp("int16-be-%dx%d.tif" % (W, H), "int16-be-lzw-%dx%d.tif" % (W, H), "tiff gray 16-bit signed big-endian LZW (tiffcp -B)", "-B", "-c", "lzw")

    # Pillow's "I;12" (little-endian, min-is-black): MSB-first 12-bit samples as I;16, L clips at 255.
    g12 = rows_of(12, 1, lambda x, y, s: (x * 67 + y * 13) % 4096 if (x + y) % 3 else (x * 3 + y) % 300)
    hand("gray12-%dx%d.tif" % (W, H), "tiff gray 12-bit (I;12): L clips at 255", W, H, 1, 12, 1, g12)
    tiffcp("gray12-%dx%d.tif" % (W, H), "gray12-lzw-%dx%d.tif" % (W, H), "tiff gray 12-bit LZW (tiffcp)", "-c", "lzw")

    # YCbCr without JPEG (and YCbCr JPEG in separate planes): Pillow 9.4 reads these through
    # libtiff's RGBA interface (TIFFRGBAImageGet, one strip or row of tiles at a time) as RGB.
    ycc = rgb.convert("YCbCr")
    ycc_y, ycc_cb, ycc_cr = (band.tobytes() for band in ycc.split())

    def ycbcr_blocks(hs, vs):
        """Contiguous YCbCr sampling blocks of the picture: hs*vs Y, then the block's mean Cb and Cr."""
        out = bytearray()
        for by in range(0, H, vs):
            for bx in range(0, W, hs):
                at = [min(by + j, H - 1) * W + min(bx + i, W - 1) for j in range(vs) for i in range(hs)]
                out += bytes(ycc_y[k] for k in at)
                out += bytes((sum(ycc_cb[k] for k in at) // len(at), sum(ycc_cr[k] for k in at) // len(at)))
        return bytes(out)

    pillow("ycbcr11-lzw-%dx%d.tif" % (W, H), "tiff YCbCr 1x1 LZW (Pillow)", ycc, compression="tiff_lzw")
    pillow("ycbcr11-deflate-%dx%d.tif" % (W, H), "tiff YCbCr 1x1 Deflate (Pillow)", ycc, compression="tiff_adobe_deflate")
    pillow("ycbcr11-packbits-%dx%d.tif" % (W, H), "tiff YCbCr 1x1 PackBits (Pillow)", ycc, compression="packbits")
    hand("ycbcr22-deflate-%dx%d.tif" % (W, H), "tiff YCbCr 2x2 Deflate", W, H, 6, 8, 3, ycbcr_blocks(2, 2), subsampling=(2, 2), deflate=True)
    hand("ycbcr21-deflate-strips5-%dx%d.tif" % (W, H), "tiff YCbCr 2x1 Deflate, 5 rows per strip", W, H, 6, 8, 3, ycbcr_blocks(2, 1), subsampling=(2, 1),
         rows_per_strip=5, deflate=True)
    hand("ycbcr42-deflate-strips4-%dx%d.tif" % (W, H), "tiff YCbCr 4x2 Deflate, 4 rows per strip", W, H, 6, 8, 3, ycbcr_blocks(4, 2), subsampling=(4, 2),
         rows_per_strip=4, deflate=True)
    hand("ycbcr22-lzw-strips8-%dx%d.tif" % (W, H), "tiff YCbCr 2x2 LZW, 8 rows per strip", W, H, 6, 8, 3, ycbcr_blocks(2, 2), subsampling=(2, 2),
         rows_per_strip=8, lzw=True)
    hand("ycbcr22-deflate-be-%dx%d.tif" % (W, H), "tiff YCbCr 2x2 Deflate big-endian", W, H, 6, 8, 3, ycbcr_blocks(2, 2), subsampling=(2, 2),
         big_endian=True, deflate=True)
    ycc.save(os.path.join(OUT, "tiff", "ycbcr11-source.tif"), "TIFF")
    tiffcp("ycbcr11-source.tif", "ycbcr11-tiles-lzw-%dx%d.tif" % (W, H), "tiff YCbCr 1x1 16x32 tiles LZW (tiffcp)", "-c", "lzw", "-t", "-w", "16", "-l", "32")
    tiffcp("ycbcr11-source.tif", "ycbcr11-planar-jpeg-%dx%d.tif" % (W, H), "tiff YCbCr 1x1 JPEG in separate planes (tiffcp)", "-p", "separate", "-c", "jpeg",
           "-r", "16")
    os.remove(os.path.join(OUT, "tiff", "ycbcr11-source.tif"))
    write_tiff(os.path.join(OUT, "tiff", "ycbcr11-planar-source.tif"), W, H, 6, 8, 3, ycc.tobytes(), planar=True, subsampling=(1, 1))
    tiffcp("ycbcr11-planar-source.tif", "ycbcr11-planar-lzw-%dx%d.tif" % (W, H), "tiff YCbCr 1x1 separate planes LZW", "-c", "lzw")
    os.remove(os.path.join(OUT, "tiff", "ycbcr11-planar-source.tif"))

    # Refused: variants Pillow opens that offloop does not read yet, or that Pillow refuses.
    refused = []
    def refuse(name, why, *args, tiffcp_args=None, **kw):
        path = os.path.join(OUT, "tiff", name)
        write_tiff(path, *args, **kw)
        if tiffcp_args:
            run(["tiffcp", *tiffcp_args, path, path + ".tmp"])
            os.replace(path + ".tmp", path)
        try:
            pillow_reads = Image.open(os.path.join(OUT, "tiff", name)).convert("L") is not None
        except Exception:
            pillow_reads = False
        refused.append({"file": "tiff/" + name, "why": why, "pillow": pillow_reads})
    refuse("cmyk16be-%dx%d.tif" % (W, H), "16-bit CMYK big-endian (Pillow refuses)", W, H, 5, 16, 4, cmyk16, big_endian=True)
    refuse("cmyka-%dx%d.tif" % (W, H), "CMYK with alpha (Pillow refuses)", W, H, 5, 8, 5, cmykx, extra=(2,))
    refuse("cmyk5-noextra-%dx%d.tif" % (W, H), "5 CMYK samples without ExtraSamples (Pillow refuses)", W, H, 5, 8, 5, cmykx)
    refuse("ycbcr-raw-%dx%d.tif" % (W, H), "YCbCr without JPEG", W, H, 6, 8, 3, rgbb)
    # Separate planes Pillow 9.4 refuses, or misreads (its raw decoder: 8-bit unpackers for 16-bit planes, bits left reversed).
    refuse("rgba-assoc-planar-raw-%dx%d.tif" % (W, H), "separate planes, associated alpha, uncompressed (Pillow refuses)", W, H, 2, 8, 4, bytes(rgba_assoc), extra=(1,), planar=True)
    refuse("la-planar-raw-%dx%d.tif" % (W, H), "separate planes, gray+alpha, uncompressed (Pillow refuses)", W, H, 1, 8, 2, gray.convert("LA").tobytes(), extra=(2,), planar=True)
    refuse("cmykx-planar-raw-%dx%d.tif" % (W, H), "separate planes, CMYKX, uncompressed (Pillow refuses)", W, H, 5, 8, 5, cmykx, extra=(0,), planar=True)
    refuse("cmykx-planar-lzw-%dx%d.tif" % (W, H), "separate planes, CMYKX in strips (Pillow fails)", W, H, 5, 8, 5, cmykx, extra=(0,), planar=True, tiffcp_args=("-c", "lzw"))
    refuse("rgb16-planar-raw-%dx%d.tif" % (W, H), "separate planes, 16-bit, uncompressed (Pillow reads 8-bit samples)", W, H, 2, 16, 3, rgb16, planar=True)
    refuse("gray16-planar-raw-%dx%d.tif" % (W, H), "PlanarConfiguration 2, 16-bit gray, uncompressed (Pillow refuses)", W, H, 1, 16, 1, g16min, planar=True)
    refuse("gray4-planar-raw-%dx%d.tif" % (W, H), "PlanarConfiguration 2, 4-bit gray, uncompressed (Pillow refuses)", W, H, 1, 4, 1, rows_of(4, 1, lambda x, y, s: (x + y) & 15), planar=True)
    refuse("gray-fill2-planar-raw-%dx%d.tif" % (W, H), "PlanarConfiguration 2, fill order 2, uncompressed (Pillow leaves the bits reversed)", W, H, 1, 8, 1, gbytes, fill_order=2, planar=True)
    refuse("rgba-noextra-planar-tiles-raw-%dx%d.tif" % (W, H), "separate planes, RGBA without ExtraSamples, partial tiles, uncompressed (Pillow's stride is wrong)", W, H, 2, 8, 4, bytes(rgbx), planar=True,
           tiffcp_args=("-t", "-w", "16", "-l", "16"))
    refuse("rgb-nophotometric-%dx%d.tif" % (W, H), "3 samples without PhotometricInterpretation (Pillow refuses: min-is-white)", W, H, 2, 8, 3, rgbb, photometric_tag=False)
    refuse("float32-be-lzw-%dx%d.tif" % (W, H), "32-bit float big-endian, LZW (Pillow misreads: F;32BF on libtiff's native samples)", W, H, 1, 32, 1,
           struct.pack(">%df" % (W * H), *floats), big_endian=True, sample_format=3, tiffcp_args=("-B", "-c", "lzw"))
    refuse("int32-be-lzw-%dx%d.tif" % (W, H), "32-bit signed big-endian, LZW (Pillow misreads)", W, H, 1, 32, 1,
           struct.pack(">%di" % (W * H), *ints), big_endian=True, sample_format=2, tiffcp_args=("-B", "-c", "lzw"))
    refuse("uint32-be-%dx%d.tif" % (W, H), "32-bit unsigned big-endian (Pillow refuses)", W, H, 1, 32, 1, struct.pack(">%dI" % (W * H), *[v & 0xFFFFFFFF for v in ints]), big_endian=True)
    refuse("float64-%dx%d.tif" % (W, H), "64-bit float (Pillow refuses)", W, H, 1, 64, 1, struct.pack("<%dd" % (W * H), *floats), sample_format=3)
    refuse("float32-planar-raw-%dx%d.tif" % (W, H), "PlanarConfiguration 2, 32-bit float, uncompressed (Pillow's raw mode F)", W, H, 1, 32, 1,
           struct.pack(">%df" % (W * H), *floats), big_endian=True, sample_format=3, planar=True)
    refuse("gray12-be-%dx%d.tif" % (W, H), "12-bit gray big-endian (Pillow refuses)", W, H, 1, 12, 1, g12, big_endian=True)
    refuse("rgb4-%dx%d.tif" % (W, H), "4-bit RGB (Pillow refuses)", W, H, 2, 4, 3, packed([1] * (W * H * 3), 4))
    # YCbCr Pillow 9.4 refuses or misreads: uncompressed (its raw decoder unpacks "RGBX", 4 bytes a pixel: the
    # data runs out, or a tiny image reads garbage), what libtiff's RGBA interface cannot do, and layouts
    # without an entry in Pillow's OPEN_INFO.
    refuse("ycbcr22-raw-%dx%d.tif" % (W, H), "YCbCr 2x2 uncompressed (Pillow refuses: its raw decoder runs out of data)", W, H, 6, 8, 3, ycbcr_blocks(2, 2),
           subsampling=(2, 2))
    refuse("ycbcr22-raw-1x1.tif", "YCbCr 2x2 uncompressed 1x1 (Pillow misreads the block as RGBX)", 1, 1, 6, 8, 3, bytes((90, 91, 92, 93, 100, 160)),
           subsampling=(2, 2), rows_per_strip=2)
    refuse("ycbcr22-planar-deflate-%dx%d.tif" % (W, H), "YCbCr 2x2 in separate planes, Deflate (Pillow refuses: libtiff's RGBA interface cannot)", W, H,
           6, 8, 3, ycc.tobytes(), planar=True, subsampling=(2, 2), deflate=True)
    refuse("ycbcr22-planar-jpeg-%dx%d.tif" % (W, H), "YCbCr 2x2 JPEG in separate planes (Pillow refuses: libtiff's RGBA interface cannot)", W, H, 2, 8, 3,
           rgbb, tiffcp_args=("-p", "separate", "-c", "jpeg"))
    refuse("ycbcr-fill2-deflate-%dx%d.tif" % (W, H), "YCbCr fill order 2 (Pillow refuses)", W, H, 6, 8, 3, ycc.tobytes(), subsampling=(1, 1),
           fill_order=2, deflate=True)
    refuse("ycbcr16-deflate-%dx%d.tif" % (W, H), "YCbCr 16-bit (Pillow refuses)", W, H, 6, 16, 3, rgb16, subsampling=(1, 1), deflate=True)
    # More than 4 RGB samples without ExtraSamples: libtiff calls the rest unspecified, Pillow has no mode for them.
    rgbxx = bytes(v for i in range(W * H) for v in rgbb[3 * i : 3 * i + 3] + bytes(((i * 13) & 255, (i * 7) & 255)))
    refuse("rgb5-noextra-%dx%d.tif" % (W, H), "5 RGB samples without ExtraSamples (Pillow refuses)", W, H, 2, 8, 5, rgbxx)
    refuse("rgb5-noextra-lzw-%dx%d.tif" % (W, H), "5 RGB samples without ExtraSamples, LZW (Pillow refuses)", W, H, 2, 8, 5, rgbxx, tiffcp_args=("-c", "lzw"))
    refuse("rgb6-noextra-%dx%d.tif" % (W, H), "6 RGB samples without ExtraSamples (Pillow refuses)", W, H, 2, 8, 6,
           bytes(v for i in range(W * H) for v in rgbxx[5 * i : 5 * i + 5] + bytes(((i * 5) & 255,))))
    refuse("rgb5-oneextra-%dx%d.tif" % (W, H), "5 RGB samples, one listed in ExtraSamples (Pillow refuses)", W, H, 2, 8, 5, rgbxx, extra=(0,))
    # BitsPerSample against SamplesPerPixel, as Pillow 9.4's _setup checks them (libtiff refuses these directories as corrupt).
    refuse("rgb-bps2-%dx%d.tif" % (W, H), "BitsPerSample: 2 values for 3 samples (Pillow refuses)", W, H, 2, 8, 3, rgbb, bits_per_sample=[8, 8])
    refuse("rgb-bps2-lzw-%dx%d.tif" % (W, H), "BitsPerSample: 2 values for 3 samples, LZW (Pillow refuses)", W, H, 2, 8, 3, rgbb, bits_per_sample=[8, 8], lzw=True)
    refuse("rgba-bps3-%dx%d.tif" % (W, H), "BitsPerSample: 3 values for 4 samples, one listed in ExtraSamples (Pillow refuses)", W, H, 2, 8, 4, rgba.tobytes(), extra=(2,),
           bits_per_sample=[8, 8, 8])
    refuse("cmyk-bps2-%dx%d.tif" % (W, H), "BitsPerSample: 2 values for 4 CMYK samples (Pillow refuses)", W, H, 5, 8, 4, cmyk, bits_per_sample=[8, 8])
    refuse("rgb-bps-8-8-16-%dx%d.tif" % (W, H), "BitsPerSample 8,8,16 (Pillow has no mode)", W, H, 2, 8, 3, rgbb, bits_per_sample=[8, 8, 16])
    refuse("rgb7-%dx%d.tif" % (W, H), "7 samples a pixel, 4 listed in ExtraSamples (Pillow reads at most 6)", W, H, 2, 8, 7,
           bytes(v for i in range(W * H) for v in rgbb[3 * i : 3 * i + 3] + bytes((i & 255,) * 4)), extra=(0, 0, 0, 0))
    refuse("gray-bps0-%dx%d.tif" % (W, H), "BitsPerSample without values (Pillow reads 1-bit samples, libtiff refuses the directory)", W, H, 1, 8, 1, gbytes,
           bits_per_sample=[])
    # Old-style JPEG (Compression 6): Pillow 9.4 reads it through Debian's libtiff (old-JPEG support on) and its RGBA
    # interface; the prebuilt libtiff has no old-JPEG decoder, so offloop refuses it in every build.
    for hs, vs in ((2, 2), (1, 1)):
        name = "ojpeg-ycbcr%d%d-%dx%d.tif" % (hs, vs, W, H)
        jpeg = io.BytesIO()
        rgb.save(jpeg, "JPEG", quality=90, subsampling=2 if hs == 2 else 0)
        write_ojpeg_tiff(os.path.join(OUT, "tiff", name), W, H, jpeg.getvalue(), (hs, vs))
        refused.append({"file": "tiff/" + name, "why": "old-style JPEG, YCbCr %dx%d (Pillow reads it)" % (hs, vs),
                        "pillow": Image.open(os.path.join(OUT, "tiff", name)).convert("L") is not None})
    with open(os.path.join(OUT, "tiff", "refused.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "cases": refused}, f, indent=1)

    # Orientation: Pillow 9.4 turns a TIFF by its tag when it loads (exact), and
    # exif_transpose turns the loaded image once more (oriented).
    cases = []

    def orient_case(name):
        path = os.path.join(OUT, name)
        got = Image.open(path).getexif().get(0x0112, 0)
        exact = Image.open(path).convert("L")
        oriented = ImageOps.exif_transpose(Image.open(path)).convert("L")
        base = name.rsplit(".", 1)[0]
        open(os.path.join(OUT, base + ".gray"), "wb").write(exact.tobytes())
        open(os.path.join(OUT, base + ".oriented.gray"), "wb").write(oriented.tobytes())
        cases.append({"file": name, "orientation": got if 1 <= got <= 8 else 0, "width": exact.size[0], "height": exact.size[1],
                      "exact": base + ".gray", "orientedWidth": oriented.size[0], "orientedHeight": oriented.size[1],
                      "oriented": base + ".oriented.gray"})

    for orientation in range(0, 10):
        name = "tiff/orient-%d.tif" % orientation
        path = os.path.join(OUT, name)
        ifd = TiffImagePlugin.ImageFileDirectory_v2()
        if orientation:
            ifd[274] = orientation
        rgb.crop((0, 0, 29, 17)).save(path, "TIFF", tiffinfo=ifd)
        orient_case(name)
    # YCbCr through libtiff's RGBA interface: libtiff flips each strip it is asked for by the tag
    # (TIFFRGBAImage, req_orientation top-left), then Pillow's load turns the whole image.
    for orientation in (2, 3, 6, 8):
        name = "tiff/orient-ycbcr22-%d.tif" % orientation
        path = os.path.join(OUT, name)
        write_tiff(path, W, H, 6, 8, 3, ycbcr_blocks(2, 2), subsampling=(2, 2), rows_per_strip=8, deflate=True, orientation=orientation)
        orient_case(name)
    with open(os.path.join(OUT, "tiff", "orient.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "cases": cases}, f, indent=1)

    def broken(name, kind, data):
        corrupt.append(damaged_entry(name, kind, data))

    lzw = open(os.path.join(OUT, "tiff", "rgb-lzw-%dx%d.tif" % (W, H)), "rb").read()
    jpeg = open(os.path.join(OUT, "tiff", "rgb-jpeg-ycbcr-%dx%d.tif" % (W, H)), "rb").read()
    tiles = open(os.path.join(OUT, "tiff", "rgb-tiles16-lzw-%dx%d.tif" % (W, H)), "rb").read()
    for name, base in (("lzw", lzw), ("jpeg", jpeg), ("tiles", tiles)):
        flipped = bytearray(base)
        # Pillow's IFD is at the start, tiffcp's at the end: flip the middle half.
        for k in range(len(flipped) // 4, 3 * len(flipped) // 4, 29):
            flipped[k] ^= 0x5A
        broken("tiff-%s-bytes-flipped.tif" % name, "tiff %s with damaged data" % name, bytes(flipped))
    broken("tiff-ifd-offset-past-end.tif", "tiff whose first IFD is past the end", lzw[:4] + struct.pack("<I", len(lzw) + 10) + lzw[8:])
    broken("tiff-header-only.tif", "tiff header and nothing else", lzw[:8])
    broken("tiff-no-width.tif", "tiff without ImageWidth", tiff_set_short(lzw, 256, 0))
    # libtiff calls a palette image without a ColorMap gray; Pillow fails for the missing map.
    write_tiff(os.path.join(OUT, "tiff", "no-colormap.tif"), W, H, 3, 8, 1, gbytes)
    broken("tiff-palette-no-colormap.tif", "tiff palette 8-bit without a ColorMap", open(os.path.join(OUT, "tiff", "no-colormap.tif"), "rb").read())
    os.remove(os.path.join(OUT, "tiff", "no-colormap.tif"))
    # YCbCr directories libtiff refuses (a 4th sample, a 3x3 subsampling: no strip size); Pillow fails on them.
    for name, kind, samples, data, kw in (("tiff-ycbcr-extra-sample.tif", "tiff YCbCr with an extra sample", 4, bytes(rgbx), {"extra": (0,)}),
                                           ("tiff-ycbcr-subsampling-3x3.tif", "tiff YCbCr 3x3 subsampling", 3, ycc.tobytes(), {"subsampling": (3, 3)})):
        path = os.path.join(OUT, "tiff", "damaged-source.tif")
        write_tiff(path, W, H, 6, 8, samples, data, deflate=True, **{"subsampling": (1, 1), **kw})
        broken(name, kind, open(path, "rb").read())
        os.remove(path)
    return decode, corrupt


def only_tiff():
    """Remakes the TIFF fixtures and their manifest entries only."""
    warnings.simplefilter("ignore")
    manifest = json.load(open(os.path.join(OUT, "manifest.json")))
    keep = [e for e in manifest["decode"] if e["format"] != "tiff"]
    keep_corrupt = [e for e in manifest["corrupt"] if not e["corrupt"].startswith("corrupt/tiff-")]
    for name in os.listdir(os.path.join(OUT, "corrupt")):
        if name.startswith("tiff-"):
            os.remove(os.path.join(OUT, "corrupt", name))
    decode, corrupt = make_tiff()
    write_manifest(keep + decode, manifest["encode"], keep_corrupt + corrupt)
    return len(decode), len(corrupt)


# ---------------------------------------------------------------- main


def main():
    # convert('L') of a P image with a bytes tRNS warns; the pixels are what we want.
    warnings.simplefilter("ignore")
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for sub in ("jpeg", "png", "encode"):
        os.makedirs(os.path.join(OUT, sub))
    tmp = tempfile.mkdtemp()
    decode = []

    def add(rel, kind, luma):
        decode.append(decode_entry(rel, kind, luma))

    def rgb_image(w, h, seed):
        return Image.frombytes("RGB", (w, h), rgb_pixels(w, h, seed))

    # ---- JPEG via Pillow: every chroma subsampling, baseline and progressive
    sizes = [(61, 37), (64, 48)]
    for sub, name in ((0, "444"), (1, "422"), (2, "420")):
        for prog in (False, True):
            for w, h in sizes if not prog else sizes[:1]:
                rel = "jpeg/ycc-%s-%s-%dx%d.jpg" % (name, "prog" if prog else "base", w, h)
                rgb_image(w, h, w * h + sub).save(os.path.join(OUT, rel), "JPEG", quality=85,
                                                  subsampling=sub, progressive=prog)
                add(rel, "jpeg ycbcr %s %s" % (name, "progressive" if prog else "baseline"), True)
    # Tiny images: a partial MCU is all there is.
    for w, h in ((1, 1), (13, 7)):
        rel = "jpeg/ycc-420-base-%dx%d.jpg" % (w, h)
        rgb_image(w, h, 5).save(os.path.join(OUT, rel), "JPEG", quality=85, subsampling=2)
        add(rel, "jpeg ycbcr 420 baseline tiny", True)

    # ---- JPEG via cjpeg/jpegtran: restart markers, 4:4:0, RGB, gray
    ppm = os.path.join(tmp, "in.ppm")
    rgb_image(61, 37, 99).save(ppm)
    pgm = os.path.join(tmp, "in.pgm")
    rgb_image(61, 37, 98).convert("L").save(pgm)
    cj = [
        ("jpeg/ycc-420-rst1row-61x37.jpg", ["-quality", "80", "-sample", "2x2", "-restart", "1"], ppm,
         "jpeg ycbcr 420 restart every MCU row"),
        ("jpeg/ycc-422-rst3mcu-61x37.jpg", ["-quality", "80", "-sample", "2x1", "-restart", "3B"], ppm,
         "jpeg ycbcr 422 restart every 3 MCUs"),
        ("jpeg/ycc-440-base-61x37.jpg", ["-quality", "80", "-sample", "1x2"], ppm, "jpeg ycbcr 440 baseline"),
        ("jpeg/ycc-420-optimized-61x37.jpg", ["-quality", "70", "-sample", "2x2", "-optimize"], ppm,
         "jpeg ycbcr 420 optimized huffman"),
        ("jpeg/rgb-base-61x37.jpg", ["-quality", "85", "-rgb"], ppm, "jpeg 3-component RGB (Adobe transform 0)"),
        ("jpeg/gray-base-61x37.jpg", ["-quality", "85", "-grayscale"], pgm, "jpeg 1-component baseline"),
        ("jpeg/gray-prog-61x37.jpg", ["-quality", "85", "-grayscale", "-progressive"], pgm,
         "jpeg 1-component progressive"),
        ("jpeg/gray-rst2mcu-61x37.jpg", ["-quality", "85", "-grayscale", "-restart", "2B"], pgm,
         "jpeg 1-component restart every 2 MCUs"),
    ]
    for rel, args, src, kind in cj:
        run(["cjpeg"] + args + ["-outfile", os.path.join(OUT, rel), src])
        add(rel, kind, "rgb-" not in rel)
    base420 = os.path.join(OUT, "jpeg/ycc-420-base-61x37.jpg")
    rel = "jpeg/ycc-420-prog-rst1row-61x37.jpg"
    run(["jpegtran", "-progressive", "-restart", "1", "-outfile", os.path.join(OUT, rel), base420])
    add(rel, "jpeg ycbcr 420 progressive restart every MCU row", True)
    rel = "jpeg/ycc-420-arith-61x37.jpg"
    run(["jpegtran", "-arithmetic", "-outfile", os.path.join(OUT, rel), base420])
    add(rel, "jpeg ycbcr 420 arithmetic-coded", True)

    # ---- Adobe CMYK (Pillow writes it: Adobe marker, transform 0, inverted bytes) and YCCK
    cmyk = cmyk_pixels(61, 37, 7)
    rel = "jpeg/cmyk-adobe-61x37.jpg"
    Image.frombytes("CMYK", (61, 37), cmyk).save(os.path.join(OUT, rel), "JPEG", quality=88)
    add(rel, "jpeg adobe cmyk", False)
    helper_c = os.path.join(tmp, "ycck.c")
    helper = os.path.join(tmp, "ycck")
    open(helper_c, "w").write(YCCK_HELPER)
    run(["cc", "-O1", "-o", helper, helper_c, "-ljpeg"])
    rel = "jpeg/ycck-adobe-61x37.jpg"
    inverted = bytes(255 - v for v in cmyk)  # Adobe (Photoshop) polarity, as Pillow assumes
    run([helper, "61", "37", os.path.join(OUT, rel)], input=inverted)
    add(rel, "jpeg adobe ycck", False)

    # ---- JPEG oddities Pillow still decodes: junk bytes before EOI (a libjpeg warning)
    data = open(base420, "rb").read()
    rel = "jpeg/ycc-420-junk-before-eoi-61x37.jpg"
    open(os.path.join(OUT, rel), "wb").write(data[:-2] + b"\x12\x34\x56" + data[-2:])
    add(rel, "jpeg with extraneous bytes before EOI (warning only)", True)

    # ---- PNG: every bit depth and colour type, written by write_png above
    W, H = 61, 37

    def png(rel, kind, *args, **kw):
        write_png(os.path.join(OUT, rel), *args, **kw)
        add(rel, kind, False)

    for bits in (1, 2, 4, 8):
        png("png/gray%d-%dx%d.png" % (bits, W, H), "png gray %d-bit" % bits, W, H, 0, bits,
            samples8(W, H, 1, bits, (1 << bits) - 1), 1)
    png("png/gray16-%dx%d.png" % (W, H), "png gray 16-bit", W, H, 0, 16, samples16(W, H, 1, 16), 1)
    W16, H16 = 29, 17  # 16-bit colour samples are big: a smaller image
    png("png/gray8-trns-%dx%d.png" % (W, H), "png gray 8-bit with tRNS", W, H, 0, 8,
        samples8(W, H, 1, 81), 1, trns=struct.pack(">H", 17))
    png("png/graya8-%dx%d.png" % (W, H), "png gray+alpha 8-bit", W, H, 4, 8, samples8(W, H, 2, 48), 2)
    png("png/graya16-%dx%d.png" % (W16, H16), "png gray+alpha 16-bit", W16, H16, 4, 16, samples16(W16, H16, 2, 416), 2)
    png("png/rgb8-%dx%d.png" % (W, H), "png rgb 8-bit", W, H, 2, 8, samples8(W, H, 3, 28), 3)
    png("png/rgb16-%dx%d.png" % (W16, H16), "png rgb 16-bit", W16, H16, 2, 16, samples16(W16, H16, 3, 216), 3)
    png("png/rgb8-trns-%dx%d.png" % (W, H), "png rgb 8-bit with tRNS", W, H, 2, 8, samples8(W, H, 3, 29), 3,
        trns=struct.pack(">HHH", 10, 20, 30))
    png("png/rgba8-%dx%d.png" % (W, H), "png rgba 8-bit", W, H, 6, 8, samples8(W, H, 4, 68), 4)
    png("png/rgba16-%dx%d.png" % (W16, H16), "png rgba 16-bit", W16, H16, 6, 16, samples16(W16, H16, 4, 616), 4)
    rnd = random.Random(3)
    full_palette = bytes(rnd.randint(0, 255) for _ in range(256 * 3))
    for bits in (1, 2, 4, 8):
        n = 1 << bits
        png("png/pal%d-%dx%d.png" % (bits, W, H), "png palette %d-bit" % bits, W, H, 3, bits,
            samples8(W, H, 1, 300 + bits, n - 1), 1, palette=full_palette[: 3 * n])
    png("png/pal8-trns-%dx%d.png" % (W, H), "png palette 8-bit with tRNS alphas", W, H, 3, 8,
        samples8(W, H, 1, 310), 1, palette=full_palette, trns=bytes(rnd.randint(0, 255) for _ in range(200)))
    png("png/pal4-trns1-%dx%d.png" % (W, H), "png palette 4-bit with one transparent entry", W, H, 3, 4,
        samples8(W, H, 1, 311, 15), 1, palette=full_palette[:48], trns=b"\xff\xff\xff\x00")
    png("png/pal8-short-%dx%d.png" % (W, H), "png palette 8-bit, indices beyond PLTE (Pillow: gray ramp)",
        W, H, 3, 8, samples8(W, H, 1, 312), 1, palette=full_palette[: 3 * 20])
    for name, ct, bits, ch, seed in (("gray8", 0, 8, 1, 900), ("gray1", 0, 1, 1, 901), ("rgb8", 2, 8, 3, 902),
                                     ("rgba16", 6, 16, 4, 903), ("pal4", 3, 4, 1, 904), ("graya8", 4, 8, 2, 905)):
        for w, h in ((W16, H16) if bits == 16 else (W, H), (5, 3)):
            if bits == 16:
                rows = samples16(w, h, ch, seed)
            else:
                rows = samples8(w, h, ch, seed, (1 << bits) - 1)
            png("png/%s-adam7-%dx%d.png" % (name, w, h), "png %s Adam7 interlaced" % name, w, h, ct, bits, rows,
                ch, palette=full_palette[:48] if ct == 3 else None, interlace=True)
    # Pillow's own PNGs (its encoder's filters and zlib settings)
    rel = "png/pillow-rgba-%dx%d.png" % (W, H)
    rgb_image(W, H, 11).convert("RGBA").save(os.path.join(OUT, rel), "PNG")
    add(rel, "png rgba written by Pillow", False)
    rel = "png/pillow-p-%dx%d.png" % (W, H)
    rgb_image(W, H, 12).quantize(37).save(os.path.join(OUT, rel), "PNG")
    add(rel, "png palette written by Pillow (quantize)", False)

    # ---- encoding: Pillow's save() of gray images, and what it decodes back
    encode = []
    for w, h, seed in ((61, 37, 1), (64, 48, 2)):
        gray = rgb_image(w, h, 500 + seed).convert("L")
        src = "encode/src-%dx%d.gray" % (w, h)
        open(os.path.join(OUT, src), "wb").write(gray.tobytes())
        for q in (75, 90):
            rel = "encode/pillow-q%d-%dx%d.jpg" % (q, w, h)
            gray.save(os.path.join(OUT, rel), "JPEG", quality=q)
            back = Image.open(os.path.join(OUT, rel)).convert("L").tobytes()
            dec = rel.rsplit(".", 1)[0] + ".gray"
            open(os.path.join(OUT, dec), "wb").write(back)
            encode.append({"source": src, "width": w, "height": h, "format": "jpeg", "quality": q,
                           "file": rel, "decoded": dec})
        rel = "encode/pillow-z6-%dx%d.png" % (w, h)
        gray.save(os.path.join(OUT, rel), "PNG", compress_level=6)
        back = Image.open(os.path.join(OUT, rel)).convert("L").tobytes()
        assert back == gray.tobytes()
        encode.append({"source": src, "width": w, "height": h, "format": "png", "compress_level": 6,
                       "file": rel, "decoded": src})

    # ---- damaged files: what Pillow makes of each (its verdict), so the decoders
    # can be held to the same answer where the data is broken but readable.
    corrupt = []
    os.makedirs(os.path.join(OUT, "corrupt"))

    def damaged(name, kind, data):
        corrupt.append(damaged_entry(name, kind, data))

    def sof_resize(data, w, h):
        b = bytearray(data)
        i = min(i for i in (b.find(b"\xff\xc0"), b.find(b"\xff\xc2")) if i >= 0)
        b[i + 5 : i + 7] = struct.pack(">H", h)
        b[i + 7 : i + 9] = struct.pack(">H", w)
        return bytes(b)

    def read(rel):
        return open(os.path.join(OUT, rel), "rb").read()

    j420 = read("jpeg/ycc-420-base-61x37.jpg")
    damaged("jpeg-header-says-3000x3000.jpg", "jpeg frame header larger than its data", sof_resize(j420, 3000, 3000))
    damaged("jpeg-prog-header-says-300x200.jpg", "progressive jpeg frame header larger than its data",
            sof_resize(read("jpeg/ycc-420-prog-61x37.jpg"), 300, 200))
    j444 = bytearray(read("jpeg/ycc-444-base-61x37.jpg"))
    for k in (0.55, 0.7, 0.85):
        j444[int(len(j444) * k)] ^= 0x55
    damaged("jpeg-entropy-bytes-flipped.jpg", "jpeg with damaged entropy-coded data", bytes(j444))
    rst = bytearray(read("jpeg/ycc-420-rst1row-61x37.jpg"))
    i = rst.find(b"\xff\xd1")
    rst[i + 1] = 0xD5
    damaged("jpeg-restart-marker-out-of-order.jpg", "jpeg with a wrong restart marker number", bytes(rst))

    def chunks(data):
        out, pos = [], 8
        while pos + 8 <= len(data):
            n = struct.unpack(">I", data[pos : pos + 4])[0]
            out.append([data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]])
            pos += 12 + n
        return out

    def build(cs, bad_crc=()):
        out = b"\x89PNG\r\n\x1a\n"
        for k, (name, body) in enumerate(cs):
            c = chunk(name, body)
            if k in bad_crc:
                c = c[:-1] + bytes([c[-1] ^ 1])
            out += c
        return out

    def ihdr(cs, w, h):
        cs[0][1] = struct.pack(">II", w, h) + cs[0][1][8:]
        return cs

    def idat_index(cs):
        return [k for k, (n, _) in enumerate(cs) if n == b"IDAT"]

    g8 = read("png/gray8-61x37.png")
    damaged("png-header-says-3000x3000.png", "png IHDR larger than its data (stream ends mid-row)",
            build(ihdr(chunks(read("png/rgb8-61x37.png")), 3000, 3000)))
    damaged("png-header-says-40-rows.png", "png IHDR 3 rows taller than its data (stream ends between rows)",
            build(ihdr(chunks(g8), 61, 40)))
    damaged("png-adam7-header-says-40-rows.png", "interlaced png IHDR taller than its data",
            build(ihdr(chunks(read("png/gray8-adam7-61x37.png")), 61, 40)))
    cs = chunks(read("png/rgb8-61x37.png"))
    damaged("png-bad-idat-crc.png", "png with bad IDAT CRCs (Pillow never checks them)",
            build(cs, bad_crc=set(idat_index(cs))))
    cs = chunks(g8)
    damaged("png-bad-gama-crc.png", "png with a bad CRC before IDAT (Pillow checks those)",
            build(cs, bad_crc={1}))
    cs = chunks(g8)
    last = idat_index(cs)[-1]
    cs[last][1] = cs[last][1][:-1] + bytes([cs[last][1][-1] ^ 0xFF])
    damaged("png-bad-adler32.png", "png whose zlib adler32 is wrong", build(cs))
    cs = chunks(g8)
    raw = bytearray(zlib.decompress(b"".join(body for n, body in cs if n == b"IDAT")))
    raw[(61 + 1) * 20] = 7  # row 20's filter type
    first = idat_index(cs)[0]
    cs = [c for c in cs if c[0] != b"IDAT"]
    cs.insert(first, [b"IDAT", zlib.compress(bytes(raw))])
    damaged("png-bad-filter-type.png", "png with filter type 7 on row 20", build(cs))
    cs = chunks(g8)
    first = idat_index(cs)[0]
    z = cs[first][1] + cs[first + 1][1]
    cs = [c for c in cs if c[0] != b"IDAT"]
    for k in range(len(z)):
        cs.insert(first + k, [b"IDAT", z[k : k + 1]])
    damaged("png-one-byte-idats.png", "png with one IDAT chunk per byte (valid)", build(cs))
    cs = chunks(g8)
    first = idat_index(cs)[0]
    cs[first + 1][1] = cs[first + 1][1] + b"trailing bytes after the zlib stream"
    damaged("png-data-after-zlib-end.png", "png with bytes after the zlib stream in IDAT", build(cs))
    cs = chunks(read("png/pal8-short-61x37.png"))
    for c in cs:
        if c[0] == b"PLTE":
            c[1] = c[1] + b"\x10\x20"
    damaged("png-plte-not-multiple-of-3.png", "png PLTE of 62 bytes (libpng refuses, Pillow drops the partial entry)",
            build(cs))
    cs = chunks(read("png/pal4-trns1-61x37.png"))
    for c in cs:
        if c[0] == b"tRNS":
            c[1] = bytes(range(40))
    damaged("png-trns-longer-than-plte.png", "png tRNS with more entries than PLTE", build(cs))
    cs = chunks(g8)
    cs.insert(1, [b"prVt", b"private ancillary chunk"])
    damaged("png-unknown-chunk-bad-crc.png", "png with an unknown chunk before IDAT, bad CRC",
            build(cs, bad_crc={1}))
    cs = chunks(g8)
    cs.insert(len(cs) - 1, [b"prVt", b"private ancillary chunk"])
    damaged("png-chunk-after-idat-bad-crc.png", "png with an unknown chunk after IDAT, bad CRC",
            build(cs, bad_crc={len(cs) - 2}))

    gif_bmp, gif_bmp_damaged = make_gif_bmp()
    decode += gif_bmp
    corrupt += gif_bmp_damaged
    webp, webp_damaged = make_webp()
    decode += webp
    corrupt += webp_damaged
    tiff, tiff_damaged = make_tiff()
    decode += tiff
    corrupt += tiff_damaged
    write_manifest(decode, encode, corrupt)
    shutil.rmtree(tmp)
    oriented = make_orientation()
    oriented += make_orientation_sources()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print("%d inputs, %d encode cases, %d damaged files, %d orientation cases, %d bytes in %s"
          % (len(decode), len(encode), len(corrupt), oriented, total, OUT))


if __name__ == "__main__":
    if "PIL" not in sys.modules:
        sys.exit("needs PIL")
    if sys.argv[1:] == ["--only", "orient"]:
        print("%d orientation cases in %s" % (make_orientation(), os.path.join(OUT, "orient")))
    elif sys.argv[1:] == ["--only", "orient-sources"]:
        print("%d orientation source cases in %s" % (make_orientation_sources(), os.path.join(OUT, "orient-sources")))
    elif sys.argv[1:] == ["--only", "gif-bmp"]:
        print("%d GIF and BMP inputs, %d damaged ones in %s" % (*only_gif_bmp(), OUT))
    elif sys.argv[1:] == ["--only", "webp"]:
        print("%d WebP inputs, %d damaged ones in %s" % (*only_webp(), OUT))
    elif sys.argv[1:] == ["--only", "tiff"]:
        print("%d TIFF inputs, %d damaged ones in %s" % (*only_tiff(), OUT))
    elif sys.argv[1:]:
        sys.exit("usage: make-image-fixtures.py [--only orient | --only orient-sources | --only gif-bmp | --only webp | --only tiff]")
    else:
        main()
