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
from PIL import Image, ImageFile, ImageOps, features

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
        tail = 2 if rel.endswith(".jpg") else 12
        entry["truncated"] = [[c, pillow_verdict(data[:c])] for c in truncation_lengths(len(data), tail)]
        decode.append(entry)

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
        rel = "corrupt/" + name
        open(os.path.join(OUT, rel), "wb").write(data)
        corrupt.append({"corrupt": rel, "kind": kind, "verdict": pillow_verdict(data)})

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
    elif sys.argv[1:]:
        sys.exit("usage: make-image-fixtures.py [--only orient | --only orient-sources]")
    else:
        main()
