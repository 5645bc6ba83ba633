// What an encoded image is, from its bytes alone (never a file name), and
// what its header says, without decoding pixels or calling a codec library.
#pragma once

#include <cstddef>
#include <cstdint>

#include "errors.h"

namespace offloop::codecs {

enum class ImageFormat {
  kUnknown = 0,
  kJpeg,
  kPng,
  // GIF and BMP are read by offloop's own decoders (gif_decode, bmp_decode);
  // the others are recognised so callers can say "unsupported: webp".
  kWebp,
  kGif,
  kTiff,
  kHeif,
  kAvif,
  kBmp,
  kJpegXl,
  kJpeg2000,
};

// "jpeg", "png", "webp", "gif", "tiff", "heif", "avif", "bmp", "jxl", "jp2",
// or "unknown".
const char* FormatName(ImageFormat format);

// Looks at the first bytes only (16 are enough for every format above).
ImageFormat DetectFormat(const uint8_t* data, size_t size);

// The error for bytes DetectFormat did not find to be a format offloop reads
// (JPEG, PNG, GIF, BMP): the format's name, or a truncated file when they
// begin one of those signatures.
Status UnreadableFormat(const uint8_t* data, size_t size, ImageFormat format);

struct HeaderInfo {
  ImageFormat format = ImageFormat::kUnknown;
  uint32_t width = 0;
  uint32_t height = 0;
  // JPEG: components in the frame (1, 3 or 4 for what we decode), sample
  // precision, whether progressive, the Adobe APP14 transform (-1 if no
  // Adobe marker), whether a JFIF APP0 was seen, the largest sampling factors.
  // PNG: bit depth, colour type (0, 2, 3, 4, 6), Adam7 or not.
  int components = 0;
  int bit_depth = 0;
  int png_color_type = -1;
  bool progressive = false;  // JPEG progressive, or PNG Adam7
  int adobe_transform = -1;
  bool jfif = false;
  int max_h_samp = 0;
  int max_v_samp = 0;
  // The orientation 1..8 as Pillow 9.4's ImageOps.exif_transpose reads it
  // (orientation.h): JPEG's first APP1 Exif; PNG's eXIf, anywhere before
  // IEND, or without an Orientation tag there the XMP text's. 0: none.
  int orientation = 0;
  // Human-readable summary, e.g. "jpeg 3x8-bit ycbcr 2x2 progressive".
  char kind[64] = {};
};

// Parses the header up to the image data: JPEG markers up to the first SOS
// (the frame header and any APP0/APP1/APP14 before it), PNG chunks up to the
// first IDAT (checking their CRCs, as Pillow does), GIF blocks up to the first
// frame's data (InspectGif), BMP headers and palette (InspectBmp). Other
// formats are reported as kUnsupported with `info->format` set, so a caller
// can name them. Never reads past `size`.
Status InspectHeader(const uint8_t* data, size_t size, HeaderInfo* info);

// What the PNG decoder needs from the chunks before the first IDAT, found by
// the same walk as InspectHeader (which it runs).
struct PngLayout {
  size_t palette_offset = 0;  // PLTE data, or 0 if none
  size_t palette_length = 0;
  size_t first_idat = 0;  // offset of the first IDAT chunk's length field
};
Status InspectPng(const uint8_t* data, size_t size, HeaderInfo* info, PngLayout* layout);

// What the first bytes of a file already decide, so that a caller reading a
// file can refuse it before reading the rest: `data` holds the first `size`
// bytes, `complete` whether that is the whole file. Returns an error the
// decoder would return for the whole file too (a format offloop does not
// read; a PNG, or a whole GIF or BMP, whose header is invalid; a header over
// `max_pixels`), else Ok with *need_more
// true when the header goes on past `size` (read more and ask again) or
// false when nothing more can be said before decoding.
Status ScreenPrefix(const uint8_t* data, size_t size, bool complete, uint64_t max_pixels, bool* need_more);

// Shared by the decoders: the pixel limit, checked before any pixel buffer
// exists. max_pixels == 0 means no limit.
Status CheckPixelLimit(uint64_t width, uint64_t height, uint64_t max_pixels);

}  // namespace offloop::codecs
