#include "tiff_decode.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include <tiffio.h>

#include "kernels/orient.h"
#include "orientation.h"
#include "own_decoder.h"

namespace offloop::codecs {

namespace {

// --- the first directory's size, read by hand (ScreenTiffPrefix) -------------

uint64_t ReadUnsigned(const uint8_t* p, int bytes, bool big_endian) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v |= uint64_t{p[big_endian ? i : bytes - 1 - i]} << (8 * (bytes - 1 - i));
  return v;
}

// The tags whose values Pillow needs to read the pixels: when the file ends
// inside one's data, Pillow's directory reader skips the tag and the image
// fails to open (libtiff may instead fall back to a default, e.g. read a
// palette image with no colour map as gray).
bool PixelLayoutTag(uint64_t tag) {
  switch (tag) {
    case 258:  // BitsPerSample
    case 273:  // StripOffsets
    case 279:  // StripByteCounts
    case 320:  // ColorMap
    case 324:  // TileOffsets
    case 325:  // TileByteCounts
    case 338:  // ExtraSamples
    case 339:  // SampleFormat
      return true;
    default:
      return false;
  }
}

// ImageWidth and ImageLength of IFD0 (classic or BigTIFF), the first entry of
// each as libtiff keeps it. kTruncated while `size` bytes do not reach them,
// or (`complete`) when the data of a tag the pixels need is cut; found =
// false when the whole directory has no usable entry (libtiff judges).
Status FirstDirectorySize(const uint8_t* data, size_t size, bool complete, uint64_t* width, uint64_t* height,
                          bool* found) {
  *found = false;
  const bool big_endian = data[0] == 'M';
  const bool big_tiff = ReadUnsigned(data + 2, 2, big_endian) == 43;
  const int offset_bytes = big_tiff ? 8 : 4;
  const uint64_t header = big_tiff ? 16 : 8;
  if (size < header) return Status::Error(ErrorCode::kTruncated, "TIFF data ends inside the header");
  const uint64_t ifd = ReadUnsigned(data + (big_tiff ? 8 : 4), offset_bytes, big_endian);
  const int count_bytes = big_tiff ? 8 : 2;
  const uint64_t entry_bytes = big_tiff ? 20 : 12;
  if (ifd > size || size - ifd < static_cast<uint64_t>(count_bytes)) {
    return Status::Error(ErrorCode::kTruncated, "TIFF data ends before the first directory");
  }
  const uint64_t entries = ReadUnsigned(data + ifd, count_bytes, big_endian);
  bool have_width = false;
  bool have_height = false;
  for (uint64_t i = 0; i < entries && (complete || !(have_width && have_height)); i++) {
    const uint64_t at = ifd + count_bytes + i * entry_bytes;
    if (at > size || size - at < entry_bytes) {
      if (have_width && have_height) break;  // (libtiff judges a directory cut after them)
      return Status::Error(ErrorCode::kTruncated, "TIFF data ends inside the first directory");
    }
    const uint64_t tag = ReadUnsigned(data + at, 2, big_endian);
    const uint64_t type = ReadUnsigned(data + at + 2, 2, big_endian);
    const uint64_t count = ReadUnsigned(data + at + 4, offset_bytes, big_endian);
    const uint8_t* value = data + at + 4 + offset_bytes;
    if (complete && PixelLayoutTag(tag)) {
      // SHORT, LONG, LONG8 (and their kin) by size; other types are libtiff's to refuse.
      const uint64_t unit = type == 3 || type == 8 ? 2 : type == 4 || type == 9 || type == 13 ? 4 : type >= 16 ? 8 : 1;
      if (count <= (uint64_t{1} << 40) / unit && count * unit > static_cast<uint64_t>(offset_bytes)) {
        const uint64_t where = ReadUnsigned(value, offset_bytes, big_endian);
        if (where > size || count * unit > size - where) {
          return Status::Error(ErrorCode::kTruncated, "TIFF data ends inside tag %llu's values",
                               static_cast<unsigned long long>(tag));
        }
      }
    }
    if ((tag != 256 && tag != 257) || count != 1) continue;
    const int value_bytes = type == 3 ? 2 : type == 4 ? 4 : type == 16 ? 8 : 0;
    if (value_bytes == 0) continue;
    const uint64_t v = ReadUnsigned(value, value_bytes, big_endian);
    if (tag == 256 && !have_width) *width = v, have_width = true;
    if (tag == 257 && !have_height) *height = v, have_height = true;
  }
  *found = have_width && have_height;
  return Status::Ok();
}

// The count of IFD0's first `tag` entry as Pillow's directory reader keeps
// it, or -1 when there is none (or its values are not in the data, which
// Pillow skips); values: its first `max_values` values when unsigned (BYTE,
// SHORT, LONG, LONG8; 0 for other types and past the count). libtiff fills
// some tags in or rewrites them (ExtraSamples for samples beyond the colour
// channels, a palette image without a colour map called gray or RGB);
// Pillow's table of modes is keyed by what the file holds.
int64_t Ifd0Entry(const uint8_t* data, size_t size, uint64_t wanted, uint64_t* values = nullptr,
                  size_t max_values = 1) {
  if (size < 16) return -1;
  const bool big_endian = data[0] == 'M';
  const bool big_tiff = ReadUnsigned(data + 2, 2, big_endian) == 43;
  const int offset_bytes = big_tiff ? 8 : 4;
  const int count_bytes = big_tiff ? 8 : 2;
  const uint64_t entry_bytes = big_tiff ? 20 : 12;
  const uint64_t ifd = ReadUnsigned(data + (big_tiff ? 8 : 4), offset_bytes, big_endian);
  if (ifd > size || size - ifd < static_cast<uint64_t>(count_bytes)) return -1;
  const uint64_t entries = ReadUnsigned(data + ifd, count_bytes, big_endian);
  for (uint64_t i = 0; i < entries; i++) {
    const uint64_t at = ifd + count_bytes + i * entry_bytes;
    if (at > size || size - at < entry_bytes) return -1;
    if (ReadUnsigned(data + at, 2, big_endian) != wanted) continue;
    const uint64_t type = ReadUnsigned(data + at + 2, 2, big_endian);
    const uint64_t count = ReadUnsigned(data + at + 4, offset_bytes, big_endian);
    const uint64_t unit = type == 3 || type == 8 ? 2 : type == 4 || type == 9 || type == 13 ? 4 : type >= 16 ? 8 : 1;
    if (count > (uint64_t{1} << 40) / unit) return -1;
    const uint8_t* value = data + at + 4 + offset_bytes;
    if (count * unit > static_cast<uint64_t>(offset_bytes)) {
      const uint64_t where = ReadUnsigned(value, offset_bytes, big_endian);
      if (where > size || count * unit > size - where) return -1;
      value = data + where;
    }
    const bool is_unsigned = type == 1 || type == 3 || type == 4 || type == 16;
    for (size_t k = 0; values != nullptr && k < max_values; k++) {
      values[k] = is_unsigned && k < count ? ReadUnsigned(value + k * unit, static_cast<int>(unit), big_endian) : 0;
    }
    return static_cast<int64_t>(count);
  }
  return -1;
}

// Pillow's photometric interpretation: the file's value (libtiff calls a
// palette image without a colour map gray or RGB; Pillow then fails for the
// missing map), 0 (min-is-white) when the file has none (libtiff 4.5 leaves
// it unset too but for old-style JPEG), and 6 (YCbCr) for old-style JPEG
// whatever the tag says.
uint16_t PillowPhotometric(TIFF* tiff, const uint8_t* data, size_t size) {
  uint16_t compression = 1;
  TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
  if (compression == COMPRESSION_OJPEG) return PHOTOMETRIC_YCBCR;
  uint64_t value = 0;
  if (Ifd0Entry(data, size, TIFFTAG_PHOTOMETRIC, &value) < 1) return PHOTOMETRIC_MINISWHITE;
  return value > 0xFFFF ? 0xFFFF : static_cast<uint16_t>(value);
}

// Pillow 9.4's _setup checks the samples before it looks for a mode: more
// than 6 a pixel are refused; more BitsPerSample values than samples are cut
// to the samples, a single value stands for every sample, any other count is
// "unknown data organization"; and its modes all give every sample one size.
// libtiff refuses most of the same directories as corrupt; Pillow reads no
// pixels of them, so offloop calls them unsupported, before libtiff reads the
// directory. A tag with no values is no tag to Pillow (1-bit samples) where
// libtiff refuses the directory: refused too (no writer makes one).
Status CheckBitsPerSample(const uint8_t* data, size_t size) {
  constexpr size_t kPillowMaxSamples = 6;  // TiffImagePlugin.MAX_SAMPLESPERPIXEL
  constexpr ErrorCode kRefused = ErrorCode::kUnsupported;
  uint64_t compression = 1, samples = 0;
  Ifd0Entry(data, size, TIFFTAG_COMPRESSION, &compression);
  // Pillow's default: 3 for old-style JPEG (always YCbCr to it), else 1.
  if (Ifd0Entry(data, size, TIFFTAG_SAMPLESPERPIXEL, &samples) < 1) {
    samples = compression == COMPRESSION_OJPEG ? 3 : 1;
  }
  if (samples > kPillowMaxSamples) {
    return Status::Error(kRefused, "unsupported TIFF variant: %llu samples a pixel (Pillow 9.4 reads at most 6)",
                         static_cast<unsigned long long>(samples));
  }
  uint64_t bits[kPillowMaxSamples] = {};
  const int64_t count = Ifd0Entry(data, size, TIFFTAG_BITSPERSAMPLE, bits, kPillowMaxSamples);
  if (count < 0) return Status::Ok();  // (absent: 1 bit, as libtiff says too; or values past the data: libtiff judges)
  if (count == 0) {
    return Status::Error(kRefused,
                         "unsupported TIFF variant: BitsPerSample without values (Pillow 9.4 takes it as absent, "
                         "1-bit samples; libtiff refuses the directory)");
  }
  if (count != 1 && static_cast<uint64_t>(count) < samples) {
    return Status::Error(kRefused,
                         "unsupported TIFF variant: BitsPerSample has %llu values for %llu samples (Pillow 9.4: "
                         "unknown data organization)",
                         static_cast<unsigned long long>(count), static_cast<unsigned long long>(samples));
  }
  for (uint64_t k = 1; count > 1 && k < samples; k++) {
    if (bits[k] != bits[0]) {
      return Status::Error(kRefused,
                           "unsupported TIFF variant: samples of %llu and %llu bits in one pixel (Pillow 9.4 has no "
                           "mode for them)",
                           static_cast<unsigned long long>(bits[0]), static_cast<unsigned long long>(bits[k]));
    }
  }
  return Status::Ok();
}

// --- libtiff over the input bytes -------------------------------------------

struct MemoryFile {
  const uint8_t* data;
  uint64_t size;
  uint64_t position;
  char error[160];  // libtiff's first error message
};

tmsize_t ReadProc(thandle_t handle, void* buffer, tmsize_t length) {
  auto* file = static_cast<MemoryFile*>(handle);
  if (length <= 0 || file->position >= file->size) return 0;
  const uint64_t left = file->size - file->position;
  const uint64_t n = static_cast<uint64_t>(length) < left ? static_cast<uint64_t>(length) : left;
  std::memcpy(buffer, file->data + file->position, n);
  file->position += n;
  return static_cast<tmsize_t>(n);
}

tmsize_t WriteProc(thandle_t, void*, tmsize_t) { return -1; }

toff_t SeekProc(thandle_t handle, toff_t offset, int whence) {
  auto* file = static_cast<MemoryFile*>(handle);
  uint64_t base = 0;
  if (whence == SEEK_CUR) base = file->position;
  if (whence == SEEK_END) base = file->size;
  // (libtiff seeks past the end only to write; a read there returns 0 bytes.)
  if (offset > std::numeric_limits<uint64_t>::max() - base) return static_cast<toff_t>(-1);
  file->position = base + offset;
  return file->position;
}

int CloseProc(thandle_t) { return 0; }
toff_t SizeProc(thandle_t handle) { return static_cast<MemoryFile*>(handle)->size; }

// Mapped: libtiff decodes straight from the input bytes (it never writes to a
// file opened for reading).
int MapProc(thandle_t handle, void** base, toff_t* size) {
  auto* file = static_cast<MemoryFile*>(handle);
  *base = const_cast<uint8_t*>(file->data);
  *size = file->size;
  return 1;
}
void UnmapProc(thandle_t, void*, toff_t) {}

// Per-TIFF handlers: libtiff prints nothing and never exits; the first error
// is kept for the Status. Returning 1 stops libtiff's global handlers.
int OnError(TIFF*, void* user_data, const char* module, const char* format, va_list args) {
  auto* file = static_cast<MemoryFile*>(user_data);
  if (file->error[0] == '\0') {
    char text[128];
    std::vsnprintf(text, sizeof text, format, args);
    std::snprintf(file->error, sizeof file->error, "%s: %s", module != nullptr ? module : "libtiff", text);
  }
  return 1;
}
int OnWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
  void operator()(TIFF* tiff) const { TIFFClose(tiff); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

Status OpenTiff(MemoryFile* file, TiffHandle* tiff) {
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  if (options == nullptr) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  TIFFOpenOptionsSetErrorHandlerExtR(options, OnError, file);
  TIFFOpenOptionsSetWarningHandlerExtR(options, OnWarning, file);
  // A directory's own arrays (strip offsets, colour maps) beyond this are
  // refused rather than allocated; pixel buffers are offloop's, not libtiff's.
  TIFFOpenOptionsSetMaxSingleMemAlloc(options, tmsize_t{256} << 20);
  // "rC": Pillow's mode (strip chopping, libtiff's default too).
  tiff->reset(TIFFClientOpenExt("offloop-input.tif", "rC", file, ReadProc, WriteProc, SeekProc, CloseProc, SizeProc,
                                MapProc, UnmapProc, options));
  TIFFOpenOptionsFree(options);
  if (*tiff) return Status::Ok();
  return Status::Error(ErrorCode::kCorrupt, "libtiff cannot read the TIFF directory (%s)",
                       file->error[0] != '\0' ? file->error : "no detail");
}

// --- Pillow's modes ----------------------------------------------------------

enum class Kind {
  kGrayBits,  // 1/2/4-bit gray: v * 255 / (2^bits - 1) ("1", "L;2", "L;4")
  kGray8,     // "L" (and LA: the first of two samples)
  kGray16,    // "I;16"/"I;16B": the native value clipped at 255
  kGray12,    // "I;12" (to I;16): the 12-bit value clipped at 255
  kPalette,   // "P" of 1-8 bits, or PA: the colour map's L
  kRgb8,      // "RGB", "RGBX", "RGBA": L of the first three samples
  kRgb16,     // the same on the high bytes of 16-bit samples
  kCmyk8,     // "CMYK", "CMYKX", "CMYKXX": CMYK -> RGB -> L
  kCmyk16,    // "CMYK;16L": the same on the high bytes
  kFloat32,   // "F": f2l, truncated and clipped to 0..255 (NaN 0)
  kInt32,     // "I" from "I;32N"/"I;32S": i2l, clipped to 0..255
  kInt16,     // "I" from "I;16S": the same
};

struct Layout {
  Kind kind = Kind::kGray8;
  int bits = 8;                // per sample
  int samples = 1;             // per pixel, as stored
  int planes = 1;              // separate planes read (Pillow's bands), interleaved per row; 1: contiguous
  int step = 1;                // samples per pixel of the rows RowToL reads
  int stored_planes = 1;       // separate planes whose strips or tiles must be in the file (Pillow reads them)
  bool invert = false;         // min-is-white
  bool premultiplied = false;  // associated alpha (sample 3), unpremultiplied as Pillow's "RGBa"
  bool ycbcr_jpeg = false;     // read as RGB through libjpeg (JPEGCOLORMODE_RGB)
  bool rgba = false;           // read through libtiff's RGBA interface (TIFFRGBAImage), as Pillow's _decodeAsRGBA
  uint8_t lut[256] = {};       // kPalette: index -> L
};

// Pillow 9.4's OPEN_INFO for the variants read here (keyed by byte order,
// photometric, sample format, fill order, bits per sample, extra samples),
// with libtiff's view: fill order 2 is undone by libtiff, as Pillow's libtiff
// path lets it be. Returns kUnsupported naming what is not read.
Status ClassifyMode(TIFF* tiff, const uint8_t* data, size_t size, Layout* layout, char* kind_text, size_t kind_size) {
  const uint16_t photometric = PillowPhotometric(tiff, data, size);
  uint16_t sample_format = 1, fill_order = 1, bits = 1, samples = 1, planar = 1, compression = 1;
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLEFORMAT, &sample_format);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_FILLORDER, &fill_order);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
  uint16_t extra_count = 0;
  uint16_t* extra = nullptr;
  if (!TIFFGetField(tiff, TIFFTAG_EXTRASAMPLES, &extra_count, &extra)) extra_count = 0;
  const bool big_endian = TIFFIsBigEndian(tiff) != 0;
  std::snprintf(kind_text, kind_size, "tiff photo %u %ux%u-bit%s comp %u%s", photometric, samples, bits,
                extra_count > 0 ? " +extra" : "", compression, TIFFIsTiled(tiff) ? " tiled" : "");
  auto unsupported = [&](const char* what) {
    return Status::Error(ErrorCode::kUnsupported, "unsupported TIFF variant: %s (%s)", what, kind_text);
  };
  // Old-style JPEG (Compression 6, replaced by TIFF Technical Note 2 in 1995):
  // Pillow 9.4 reads it through Debian's libtiff, whose old-JPEG decoder the
  // prebuilt libtiff leaves out (-Dold-jpeg=OFF). A source build refuses it
  // too, so that every build is tested against one verdict (with this
  // removed, Debian's libtiff gave Pillow's pixels on 2x2 and 1x1 subsampled
  // files). The other codecs the prebuilt libtiff leaves out (LZMA, ZSTD,
  // WebP...) a source build still reads when its libtiff has them.
  if (compression == COMPRESSION_OJPEG) {
    return unsupported("old-style JPEG (Compression 6: the prebuilt libtiff has no decoder for it)");
  }
  if (!TIFFIsCODECConfigured(compression)) return unsupported("compression");
  // Pillow's "F" (32-bit float, either photometric) and "I" (signed 16- or
  // 32-bit, little-endian unsigned 32-bit; min-is-black). Through libtiff
  // Pillow keeps the big-endian 32-bit raw modes while libtiff hands it
  // native samples: it misreads those (refused).
  const bool gray_photometric = photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK;
  if (gray_photometric && samples == 1 && extra_count == 0 && fill_order == 1 && (bits == 16 || bits == 32) &&
      !(bits == 16 && sample_format == SAMPLEFORMAT_UINT)) {
    layout->bits = bits;
    layout->samples = 1;
    const bool misread = big_endian && bits == 32 && compression != COMPRESSION_NONE;
    const bool black = photometric == PHOTOMETRIC_MINISBLACK;
    if (bits == 32 && sample_format == SAMPLEFORMAT_IEEEFP) {
      layout->kind = Kind::kFloat32;
    } else if (black && bits == 32 &&
               (sample_format == SAMPLEFORMAT_INT || (sample_format == SAMPLEFORMAT_UINT && !big_endian))) {
      layout->kind = Kind::kInt32;
    } else if (black && bits == 16 && sample_format == SAMPLEFORMAT_INT) {
      layout->kind = Kind::kInt16;
    } else {
      return unsupported("signed, 32-bit or floating-point gray layout");
    }
    if (misread) return unsupported("big-endian 32-bit samples, compressed (Pillow 9.4 misreads them)");
    return Status::Ok();
  }
  if (sample_format != SAMPLEFORMAT_UINT) return unsupported("signed or floating-point samples");
  if (fill_order != 1 && fill_order != 2) return unsupported("fill order");
  const int extra0 = extra_count > 0 ? extra[0] : -1;
  auto extras_are = [&](int first, int total) {
    if (extra_count != total) return false;
    if (total == 0) return true;
    if (extra[0] != first) return false;
    for (int i = 1; i < total; i++) {
      if (extra[i] != 0) return false;
    }
    return true;
  };
  layout->bits = bits;
  layout->samples = samples;
  switch (photometric) {
    case PHOTOMETRIC_MINISWHITE:
    case PHOTOMETRIC_MINISBLACK: {
      layout->invert = photometric == PHOTOMETRIC_MINISWHITE;
      if (samples == 1 && extra_count == 0 && (bits == 1 || bits == 2 || bits == 4 || bits == 8)) {
        layout->kind = bits == 8 ? Kind::kGray8 : Kind::kGrayBits;
        return Status::Ok();
      }
      // I;16 (II, either photometric, fill 1; II min-is-black fill 2), I;16B (MM min-is-black fill 1):
      // never inverted.
      if (samples == 1 && extra_count == 0 && bits == 16 &&
          (big_endian ? photometric == PHOTOMETRIC_MINISBLACK && fill_order == 1
                      : fill_order == 1 || photometric == PHOTOMETRIC_MINISBLACK)) {
        layout->kind = Kind::kGray16;
        layout->invert = false;
        return Status::Ok();
      }
      // I;12 (II min-is-black fill 1): MSB-first 12-bit samples, never inverted.
      if (samples == 1 && extra_count == 0 && bits == 12 && !big_endian && photometric == PHOTOMETRIC_MINISBLACK &&
          fill_order == 1) {
        layout->kind = Kind::kGray12;
        layout->invert = false;
        return Status::Ok();
      }
      // LA (min-is-black, fill 1, unassociated alpha).
      if (photometric == PHOTOMETRIC_MINISBLACK && samples == 2 && bits == 8 && fill_order == 1 &&
          extras_are(EXTRASAMPLE_UNASSALPHA, 1)) {
        layout->kind = Kind::kGray8;
        return Status::Ok();
      }
      return unsupported("gray layout");
    }
    case PHOTOMETRIC_RGB: {
      // Pillow's key holds the ExtraSamples the file lists; libtiff names samples past the
      // fourth unspecified itself when the tag does not (Pillow has no mode for them then).
      if (samples > 4 && Ifd0Entry(data, size, TIFFTAG_EXTRASAMPLES) != samples - 3) {
        return unsupported("RGB layout: samples past the fourth not listed in ExtraSamples");
      }
      if (bits == 8 && samples == 3 && extra_count == 0) {
        layout->kind = Kind::kRgb8;
        return Status::Ok();
      }
      if (fill_order != 1) return unsupported("RGB layout");
      const bool four_plain = samples == 4 && (extra_count == 0 || extras_are(0, 1) || extras_are(2, 1) ||
                                               (bits == 8 && extras_are(999, 1)));
      const bool four_premultiplied = samples == 4 && extras_are(1, 1);
      const bool wider = bits == 8 && samples >= 5 && samples <= 6 &&
                         (extras_are(0, samples - 3) || extras_are(1, samples - 3) || extras_are(2, samples - 3));
      if ((bits == 8 || bits == 16) && (samples == 3 ? extra_count == 0 : four_plain || four_premultiplied || wider)) {
        layout->kind = bits == 8 ? Kind::kRgb8 : Kind::kRgb16;
        layout->premultiplied = extra0 == EXTRASAMPLE_ASSOCALPHA;
        return Status::Ok();
      }
      return unsupported("RGB layout");
    }
    case PHOTOMETRIC_PALETTE: {
      const bool plain = samples == 1 && extra_count == 0 && (bits == 1 || bits == 2 || bits == 4 || bits == 8);
      const bool with_alpha = samples == 2 && bits == 8 && fill_order == 1 && extras_are(EXTRASAMPLE_UNASSALPHA, 1);
      if (!plain && !with_alpha) return unsupported("palette layout");
      uint16_t *red = nullptr, *green = nullptr, *blue = nullptr;
      if (!TIFFGetField(tiff, TIFFTAG_COLORMAP, &red, &green, &blue)) {
        return Status::Error(ErrorCode::kCorrupt, "TIFF palette image without a colour map");
      }
      // libtiff's map has 2^bits entries; Pillow takes each value's high byte.
      const int entries = 1 << bits;
      for (int i = 0; i < entries; i++) layout->lut[i] = PillowLuma(red[i] >> 8, green[i] >> 8, blue[i] >> 8);
      layout->kind = Kind::kPalette;
      return Status::Ok();
    }
    case PHOTOMETRIC_YCBCR: {
      if (bits != 8 || samples != 3 || extra_count != 0 || fill_order != 1) return unsupported("YCbCr layout");
      layout->kind = Kind::kRgb8;
      if (compression == COMPRESSION_JPEG && planar == PLANARCONFIG_CONTIG) {
        // Pillow lets libjpeg convert to RGB.
        if (!TIFFSetField(tiff, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB)) {
          return Status::Error(ErrorCode::kCorrupt, "libtiff refuses the JPEG colour mode");
        }
        layout->ycbcr_jpeg = true;
        return Status::Ok();
      }
      // Pillow's raw decoder unpacks uncompressed YCbCr as "RGBX" (4 bytes a pixel): it runs out
      // of data, or reads garbage.
      if (compression == COMPRESSION_NONE) return unsupported("YCbCr uncompressed (Pillow 9.4 misreads it)");
      // Everything else Pillow reads through libtiff's RGBA interface; what it cannot set up
      // (subsamplings it has no routine for, subsampled separate planes) Pillow fails on.
      char message[1024] = "";
      TIFFRGBAImage probe;
      if (!TIFFRGBAImageOK(tiff, message) || !TIFFRGBAImageBegin(&probe, tiff, 0, message)) {
        return unsupported("YCbCr layout libtiff's RGBA interface cannot read");
      }
      TIFFRGBAImageEnd(&probe);
      layout->rgba = true;
      return Status::Ok();
    }
    case PHOTOMETRIC_SEPARATED: {
      // InkSet is not looked at (Pillow does not). Extra samples as the file
      // lists them: libtiff would call a 5th sample without the tag one.
      const int64_t listed = Ifd0Entry(data, size, TIFFTAG_EXTRASAMPLES);
      if (fill_order != 1 || listed != (samples > 4 ? samples - 4 : -1)) return unsupported("CMYK layout");
      if (bits == 8 && samples >= 4 && samples <= 6 && extras_are(0, samples - 4)) {
        layout->kind = Kind::kCmyk8;
        return Status::Ok();
      }
      if (bits == 16 && samples == 4 && !big_endian) {  // (Pillow has no big-endian "CMYK;16B" entry)
        layout->kind = Kind::kCmyk16;
        return Status::Ok();
      }
      return unsupported("CMYK layout");
    }
    default:
      return unsupported("photometric interpretation");
  }
}

// Separate planes (PlanarConfiguration 2), as Pillow 9.4 reads them. Through
// libtiff (compressed): one plane per band of the mode (RGB 3; RGBA, RGBX,
// CMYK 4; LA, PA 2), each unpacked into its byte of the pixel, then, for
// RGBA whose first extra sample libtiff calls unspecified or associated
// (libtiff names a 4th sample without ExtraSamples unspecified), unpremultiplied
// as "RGBa"; in strips, more samples than bands fail Pillow's size check.
// Uncompressed: Pillow's raw decoder unpacks plane k with the k-th letter of
// the raw mode, so min-is-white is not inverted ("L;I" -> "L"), 16-bit samples
// would be read as 8-bit ones, "RGBa", "LA", "PA", "CMYKX" have no such
// unpackers, and a tiled RGBA without ExtraSamples gets a wrong stride in its
// partial tiles: those are refused.
Status Classify(TIFF* tiff, const uint8_t* data, size_t size, Layout* layout, char* kind_text, size_t kind_size) {
  const Status mode = ClassifyMode(tiff, data, size, layout, kind_text, kind_size);
  if (!mode.ok()) return mode;
  const uint16_t photometric = PillowPhotometric(tiff, data, size);
  uint16_t planar = 1, compression = 1, fill_order = 1;
  TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_FILLORDER, &fill_order);
  layout->step = layout->samples;
  if (layout->rgba) {
    layout->step = 4;  // libtiff's ABGR words, R first in memory on little-endian hosts
    return Status::Ok();
  }
  if (planar != PLANARCONFIG_SEPARATE) return Status::Ok();
  auto unsupported = [&](const char* what) {
    return Status::Error(ErrorCode::kUnsupported, "unsupported TIFF variant: separate planes, %s (%s)", what,
                         kind_text);
  };
  const bool raw = compression == COMPRESSION_NONE;
  if (layout->samples == 1) {
    if (!raw) return Status::Ok();  // libtiff's path: one plane is the contiguous case
    if (fill_order != 1) return unsupported("uncompressed, fill order 2 (Pillow 9.4 leaves the bits reversed)");
    const bool plain = (layout->kind == Kind::kGray8 || layout->kind == Kind::kPalette) && layout->bits == 8;
    if (!plain && !(layout->kind == Kind::kGrayBits && layout->bits == 1)) {
      return unsupported("uncompressed, of this depth (Pillow 9.4 misreads or refuses it)");
    }
    layout->invert = false;
    return Status::Ok();
  }
  // (Defaulted, as Pillow asks: it holds the extra sample libtiff names itself.)
  uint16_t extra_count = 0;
  uint16_t* extra = nullptr;
  if (!TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extra_count, &extra)) extra_count = 0;
  const int64_t listed = Ifd0Entry(data, size, TIFFTAG_EXTRASAMPLES);
  const bool rgb = photometric == PHOTOMETRIC_RGB;
  const bool rgbx = rgb && listed >= 1 && extra_count >= 1 && extra[0] == EXTRASAMPLE_UNSPECIFIED;
  const int bands = rgb ? (layout->samples == 3 ? 3 : 4) : photometric == PHOTOMETRIC_SEPARATED ? 4 : 2;
  const bool tiled = TIFFIsTiled(tiff) != 0;
  if (raw) {
    if (layout->bits != 8) return unsupported("uncompressed, 16-bit (Pillow 9.4 reads them as 8-bit samples)");
    if (bands == 2) return unsupported("uncompressed, with alpha (Pillow 9.4 has no unpacker for it)");
    if (layout->premultiplied) return unsupported("uncompressed, associated alpha (Pillow 9.4 has no unpacker for it)");
    if (layout->samples > bands && !rgbx)
      return unsupported("uncompressed, extra samples (Pillow 9.4 has no unpacker for them)");
    uint32_t tile_width = 0, width = 0;
    TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
    if (tiled && TIFFGetField(tiff, TIFFTAG_TILEWIDTH, &tile_width) && tile_width != 0 && width % tile_width != 0 &&
        rgb && listed < 0 && layout->samples == 4) {
      return unsupported("uncompressed, RGBA without ExtraSamples in partial tiles (Pillow 9.4 misreads them)");
    }
  } else {
    if (layout->samples > bands && !tiled) {
      return unsupported("more samples than Pillow's mode has bands, in strips (Pillow 9.4 fails on them)");
    }
    layout->premultiplied = rgb && !rgbx && bands == 4 && extra_count >= 1 &&
                            (extra[0] == EXTRASAMPLE_UNSPECIFIED || extra[0] == EXTRASAMPLE_ASSOCALPHA);
  }
  layout->planes = bands;
  layout->step = bands;
  // Pillow's raw decoder reads every plane (RGBXX's 5th too); libtiff's path the bands only.
  layout->stored_planes = raw ? layout->samples : bands;
  return Status::Ok();
}

// Pillow's CLIP8(c * 255 / a) of its "RGBa" unpackers.
inline uint32_t Unpremultiply(uint32_t c, uint32_t a) {
  const uint32_t v = c * 255 / a;
  return v > 255 ? 255 : v;
}

// Pillow's "I" to L: each signed sample (native order, libtiff swabbed it)
// clipped to 0..255.
template <typename Sample>
void SignedRowToL(const uint8_t* src, size_t pixels, uint8_t* dst) {
  for (size_t i = 0; i < pixels; i++) {
    Sample v;
    std::memcpy(&v, src + i * sizeof v, sizeof v);
    dst[i] = v <= 0 ? 0 : v >= 255 ? 255 : static_cast<uint8_t>(v);
  }
}

// One run of `pixels` stored pixels to L, as Pillow's unpacker and then its
// conversion to L.
void RowToL(const Layout& layout, const uint8_t* src, size_t pixels, uint8_t* dst) {
  const size_t step = static_cast<size_t>(layout.step);
  switch (layout.kind) {
    case Kind::kGrayBits: {
      const int bits = layout.bits;
      const unsigned mask = (1u << bits) - 1;
      const unsigned scale = 255 / mask;
      for (size_t i = 0; i < pixels; i++) {
        const size_t bit = i * bits;
        const unsigned v = (src[bit >> 3] >> (8 - bits - (bit & 7))) & mask;
        dst[i] = static_cast<uint8_t>((layout.invert ? mask - v : v) * scale);
      }
      return;
    }
    case Kind::kGray8:
      for (size_t i = 0; i < pixels; i++) dst[i] = layout.invert ? 255 - src[i * step] : src[i * step];
      return;
    case Kind::kGray16:
      for (size_t i = 0; i < pixels; i++) {
        uint16_t v;
        std::memcpy(&v, src + i * 2, 2);  // native order, libtiff swabbed it
        dst[i] = v > 255 ? 255 : static_cast<uint8_t>(v);
      }
      return;
    case Kind::kGray12:
      for (size_t i = 0; i < pixels; i++) {
        const uint8_t* p = src + i * 12 / 8;
        const unsigned v = i % 2 == 0 ? (p[0] << 4) | (p[1] >> 4) : ((p[0] & 15u) << 8) | p[1];
        dst[i] = v > 255 ? 255 : static_cast<uint8_t>(v);
      }
      return;
    case Kind::kPalette:
      if (layout.bits == 8) {
        for (size_t i = 0; i < pixels; i++) dst[i] = layout.lut[src[i * step]];
      } else {
        const int bits = layout.bits;
        const unsigned mask = (1u << bits) - 1;
        for (size_t i = 0; i < pixels; i++) {
          const size_t bit = i * bits;
          dst[i] = layout.lut[(src[bit >> 3] >> (8 - bits - (bit & 7))) & mask];
        }
      }
      return;
    case Kind::kRgb8:
      if (!layout.premultiplied) {
        RgbRowToL(src, step, pixels, dst);
        return;
      }
      for (size_t i = 0; i < pixels; i++) {
        const uint8_t* p = src + i * step;
        const uint32_t a = p[3];
        dst[i] = a == 0     ? 0
                 : a == 255 ? PillowLuma(p[0], p[1], p[2])
                            : PillowLuma(Unpremultiply(p[0], a), Unpremultiply(p[1], a), Unpremultiply(p[2], a));
      }
      return;
    case Kind::kRgb16:
      for (size_t i = 0; i < pixels; i++) {
        uint16_t s[4] = {0, 0, 0, 255 << 8};
        std::memcpy(s, src + i * step * 2, (step < 4 ? step : 4) * 2);
        const uint32_t r = s[0] >> 8, g = s[1] >> 8, b = s[2] >> 8, a = s[3] >> 8;
        if (!layout.premultiplied || a == 255) {
          dst[i] = PillowLuma(r, g, b);
        } else {
          dst[i] = a == 0 ? 0 : PillowLuma(Unpremultiply(r, a), Unpremultiply(g, a), Unpremultiply(b, a));
        }
      }
      return;
    case Kind::kCmyk8:
      for (size_t i = 0; i < pixels; i++) {
        const uint8_t* p = src + i * step;
        dst[i] = PillowCmykToL(p[0], p[1], p[2], p[3]);
      }
      return;
    case Kind::kCmyk16:
      for (size_t i = 0; i < pixels; i++) {
        uint16_t s[4];
        std::memcpy(s, src + i * 8, 8);
        dst[i] = PillowCmykToL(s[0] >> 8, s[1] >> 8, s[2] >> 8, s[3] >> 8);
      }
      return;
    case Kind::kFloat32:
      for (size_t i = 0; i < pixels; i++) {
        float v;
        std::memcpy(&v, src + i * 4, 4);  // native order, libtiff swabbed it
        // (Pillow's (UINT8)NaN is undefined; x86 and arm64 give 0.)
        dst[i] = !(v > 0.0f) ? 0 : v >= 255.0f ? 255 : static_cast<uint8_t>(v);
      }
      return;
    case Kind::kInt32:
      SignedRowToL<int32_t>(src, pixels, dst);
      return;
    case Kind::kInt16:
      SignedRowToL<int16_t>(src, pixels, dst);
      return;
  }
}

// Pillow's load_end turns a TIFF by its Orientation tag when it loads (its
// transpose methods for 2..8); other values leave it as stored.
int LoadOrientation(const uint8_t* data, size_t size) {
  const int value = TiffOrientation(data, size).value;
  return value >= 2 && value <= 8 ? value : 1;
}

struct Opened {
  MemoryFile file;
  TiffHandle tiff;
  Layout layout;
  uint32_t stored_width = 0;
  uint32_t stored_height = 0;
  int load_orientation = 1;
};

// Everything Inspect and the decoder share: the pixel limit from the bytes
// (before libtiff allocates anything), the directory, the layout.
Status OpenAndClassify(const uint8_t* data, size_t size, uint64_t max_pixels, Opened* opened, HeaderInfo* info) {
  *info = HeaderInfo();
  info->format = ImageFormat::kTiff;
  bool need_more = false;
  const Status screened = ScreenTiffPrefix(data, size, true, max_pixels, &need_more);
  if (!screened.ok()) return screened;
  const Status layout = CheckBitsPerSample(data, size);
  if (!layout.ok()) return layout;
  opened->file = MemoryFile{data, size, 0, {}};
  Status status = OpenTiff(&opened->file, &opened->tiff);
  if (!status.ok()) return status;
  TIFF* tiff = opened->tiff.get();
  uint32_t width = 0, height = 0;
  if (!TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height) ||
      width == 0 || height == 0) {
    return Status::Error(ErrorCode::kCorrupt, "TIFF image without a size");
  }
  status = CheckPixelLimit(width, height, max_pixels);
  if (!status.ok()) return status;
  status = Classify(tiff, data, size, &opened->layout, info->kind, sizeof info->kind);
  if (!status.ok()) return status;
  opened->stored_width = width;
  opened->stored_height = height;
  opened->load_orientation = LoadOrientation(data, size);
  const bool swaps = kernels::OrientationSwapsAxes(opened->load_orientation);
  info->width = swaps ? height : width;
  info->height = swaps ? width : height;
  info->components = opened->layout.samples;
  info->bit_depth = opened->layout.bits;
  info->orientation = TiffOrientation(data, size).value;
  return Status::Ok();
}

}  // namespace

Status ScreenTiffPrefix(const uint8_t* data, size_t size, bool complete, uint64_t max_pixels, bool* need_more) {
  *need_more = false;
  if (size < 4) {
    if (!complete) *need_more = true;
    return complete ? Status::Error(ErrorCode::kTruncated, "TIFF data ends inside the header") : Status::Ok();
  }
  uint64_t width = 0, height = 0;
  bool found = false;
  const Status status = FirstDirectorySize(data, size, complete, &width, &height, &found);
  if (status.code == ErrorCode::kTruncated && !complete) {
    *need_more = true;
    return Status::Ok();
  }
  if (!status.ok() || !found) return status;
  return CheckPixelLimit(width, height, max_pixels);
}

Status InspectTiff(const uint8_t* data, size_t size, HeaderInfo* info) {
  Opened opened;
  return OpenAndClassify(data, size, 0, &opened, info);
}

namespace {

class TiffGrayDecoder final : public OwnGrayDecoder {
 public:
  TiffGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : OwnGrayDecoder(data, size, options) {}

  ~TiffGrayDecoder() override { EndRgba(); }

  Status Open() noexcept { return status_ = OpenAndClassify(data_, size_, options_.max_pixels, &tiff_, &info_); }

  Status Start(GrayTarget target) noexcept override {
    const Status begun = BeginStart(target);
    if (!begun.ok()) return begun;
    if (tiff_.layout.rgba) return status_ = StartRgba();
    TIFF* tiff = tiff_.tiff.get();
    const uint32_t width = tiff_.stored_width;
    // (Separate planes: each strip or tile holds one sample per pixel.)
    const uint64_t stored_samples = tiff_.layout.planes > 1 ? 1 : tiff_.layout.samples;
    const uint64_t pixel_bytes = (uint64_t{width} * tiff_.layout.bits * stored_samples + 7) / 8;
    tiled_ = TIFFIsTiled(tiff) != 0;
    uint64_t rows_in_buffer = 0;
    uint64_t buffer_size = 0;
    if (tiled_) {
      uint32_t tile_width = 0, tile_height = 0;
      TIFFGetField(tiff, TIFFTAG_TILEWIDTH, &tile_width);
      TIFFGetField(tiff, TIFFTAG_TILELENGTH, &tile_height);
      tile_width_ = tile_width;
      band_rows_ = tile_height;
      row_bytes_ = static_cast<uint64_t>(TIFFTileRowSize64(tiff));
      buffer_size = TIFFTileSize64(tiff);
      rows_in_buffer = tile_height;
      const uint64_t tile_pixel_bytes = (uint64_t{tile_width} * tiff_.layout.bits * stored_samples + 7) / 8;
      if (tile_width == 0 || tile_height == 0 || row_bytes_ < tile_pixel_bytes) {
        return status_ = Status::Error(ErrorCode::kCorrupt, "TIFF tile size is invalid");
      }
      striles_ = TIFFNumberOfTiles(tiff);
    } else {
      uint32_t rows_per_strip = 0;
      if (!TIFFGetField(tiff, TIFFTAG_ROWSPERSTRIP, &rows_per_strip) || rows_per_strip == 0xFFFFFFFFu ||
          rows_per_strip > tiff_.stored_height) {
        rows_per_strip = tiff_.stored_height;
      }
      band_rows_ = rows_per_strip == 0 ? tiff_.stored_height : rows_per_strip;
      row_bytes_ = static_cast<uint64_t>(TIFFScanlineSize64(tiff));
      buffer_size = TIFFStripSize64(tiff);
      rows_in_buffer = band_rows_;
      if (row_bytes_ < pixel_bytes) return status_ = Status::Error(ErrorCode::kCorrupt, "TIFF row size is invalid");
      striles_ = TIFFNumberOfStrips(tiff);
    }
    // Every strip or tile needs its offset and byte count in the file: more
    // than a quarter of the input's bytes of them cannot be a real file (a
    // header of tiny tiles on a big image would otherwise run for long).
    if (striles_ == 0 || (striles_ > 2 && striles_ > size_ / 4)) {
      return status_ = Status::Error(ErrorCode::kCorrupt, "TIFF has %u strips or tiles for %zu bytes", striles_, size_);
    }
    const size_t planes = static_cast<size_t>(tiff_.layout.planes);
    if (buffer_size == 0 || row_bytes_ == 0 || rows_in_buffer > buffer_size / row_bytes_ ||
        buffer_size > std::numeric_limits<size_t>::max() / 8) {
      return status_ = Status::Error(ErrorCode::kCorrupt, "TIFF strip or tile size is invalid");
    }
    buffer_size_ = static_cast<size_t>(buffer_size);
    // Zeroed: libtiff 4.5 can call a damaged Deflate strip decoded while the
    // end of the buffer is left unwritten, whose pixels would then change
    // from run to run (a later strip finds the one before it instead). calloc
    // of a large size maps zero pages, touched only as libtiff writes them.
    buffer_.reset(static_cast<uint8_t*>(std::calloc(buffer_size_, planes)));
    if (!buffer_) return status_ = Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    if (planes > 1) {
      // One row of the planes' samples side by side, as RowToL reads them.
      const uint64_t columns = tiled_ ? tile_width_ : width;
      sample_bytes_ = static_cast<size_t>(tiff_.layout.bits / 8);
      interleaved_.reset(new (std::nothrow) uint8_t[static_cast<size_t>(columns) * planes * sample_bytes_]);
      if (!interleaved_) return status_ = Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    }
    if (tiff_.load_orientation != 1) {
      // Decoded as stored, then turned into the target when complete.
      stored_.reset(new (std::nothrow) uint8_t[size_t{tiff_.stored_width} * tiff_.stored_height]);
      if (!stored_) return status_ = Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    }
    return Status::Ok();
  }

  Status Step(uint32_t rows, DecodeProgress* progress) noexcept override {
    const Status begun = BeginStep();
    if (!begun.ok()) return begun;
    const uint32_t height = tiff_.stored_height;
    const uint32_t goal = height - y_ < (rows == 0 ? 1 : rows) ? height : y_ + (rows == 0 ? 1 : rows);
    while (y_ < goal) {
      const uint32_t band = height - y_ < band_rows_ ? height - y_ : band_rows_;
      const Status decoded = tiff_.layout.rgba ? DecodeRgbaBlock(band)
                             : tiled_          ? DecodeTileRow(band)
                                               : DecodeStrip(band);
      if (!decoded.ok()) return status_ = decoded;
      y_ += band;
    }
    if (y_ == height) {
      buffer_.reset();
      interleaved_.reset();
      raster_.reset();
      EndRgba();
      if (stored_) {
        const Status turned = Turn();
        if (!turned.ok()) return status_ = turned;
      }
    }
    if (progress != nullptr) {
      progress->done = y_;
      progress->total = height;
      progress->finished = y_ == height;
    }
    return Status::Ok();
  }

 private:
  // Pillow's _decodeAsRGBA: libtiff converts one strip or row of tiles at a
  // time (Pillow's blocks: its quirks, each block flipped by the Orientation
  // tag, a failed strip after the first of a block kept as it decoded, are
  // libtiff's) into 32-bit RGBA words, whose R, G and B Pillow takes as RGB.
  Status StartRgba() {
    TIFF* tiff = tiff_.tiff.get();
    const uint32_t width = tiff_.stored_width;
    const uint32_t height = tiff_.stored_height;
    uint32_t rows = 0;
    const bool tiled = TIFFIsTiled(tiff) != 0;
    const int found = TIFFGetFieldDefaulted(tiff, tiled ? TIFFTAG_TILELENGTH : TIFFTAG_ROWSPERSTRIP, &rows);
    if (found != 1 || rows == 0xFFFFFFFFu) rows = height;
    if (rows == 0) return Status::Error(ErrorCode::kCorrupt, "TIFF strip or tile height is 0");
    // Pillow's own limits on the block (an int of bytes); past them it fails.
    const uint64_t row_bytes = uint64_t{width} * 4;
    if (row_bytes > INT32_MAX || rows > INT32_MAX / row_bytes) {
      return Status::Error(ErrorCode::kCorrupt, "TIFF strips or tiles of %u rows of %u pixels are too large", rows,
                           width);
    }
    striles_ = tiled ? TIFFNumberOfTiles(tiff) : TIFFNumberOfStrips(tiff);
    if (striles_ == 0 || (striles_ > 2 && striles_ > size_ / 4)) {
      return Status::Error(ErrorCode::kCorrupt, "TIFF has %u strips or tiles for %zu bytes", striles_, size_);
    }
    // libtiff fails on the first strip or tile when it is not in the data
    // (Pillow too): before the block is allocated.
    const Status present = CheckStrile(0);
    if (!present.ok()) return present;
    band_rows_ = rows < height ? rows : height;
    raster_.reset(new (std::nothrow) uint32_t[size_t{band_rows_} * width]);
    if (!raster_) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    char message[1024] = "";
    if (!TIFFRGBAImageBegin(&rgba_, tiff, 0, message)) {
      return Status::Error(ErrorCode::kCorrupt, "libtiff cannot read the TIFF as RGBA (%s)", message);
    }
    rgba_begun_ = true;
    rgba_.req_orientation = ORIENTATION_TOPLEFT;
    rgba_.col_offset = 0;
    if (tiff_.load_orientation != 1) {
      stored_.reset(new (std::nothrow) uint8_t[size_t{width} * height]);
      if (!stored_) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    }
    return Status::Ok();
  }

  Status DecodeRgbaBlock(uint32_t band) {
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
      return Status::Error(ErrorCode::kCancelled, "cancelled");
    }
    const uint32_t width = tiff_.stored_width;
    rgba_.row_offset = static_cast<int>(y_);
    if (!TIFFRGBAImageGet(&rgba_, raster_.get(), width, band)) return LibtiffFailed("strip or tile as RGBA");
    for (uint32_t r = 0; r < band; r++) {
      const uint32_t* in = raster_.get() + size_t{r} * width;
      uint8_t* out = StoredRow(y_ + r);
      for (uint32_t x = 0; x < width; x++) out[x] = PillowLuma(TIFFGetR(in[x]), TIFFGetG(in[x]), TIFFGetB(in[x]));
    }
    return Status::Ok();
  }

  void EndRgba() {
    // (Before TIFFClose: libtiff counts the frees against the TIFF.)
    if (rgba_begun_) TIFFRGBAImageEnd(&rgba_);
    rgba_begun_ = false;
  }

  uint8_t* StoredRow(uint32_t y) {
    return stored_ ? stored_.get() + size_t{y} * tiff_.stored_width : target_.data + size_t{y} * target_.stride;
  }

  // The strile's bytes must be in the input (libtiff would call a cut strip
  // a read error; here it is a truncated file).
  Status CheckStrile(uint32_t strile) {
    if (strile >= striles_) return Status::Error(ErrorCode::kCorrupt, "TIFF strip or tile %u is missing", strile);
    int error = 0;
    const uint64_t offset = TIFFGetStrileOffsetWithErr(tiff_.tiff.get(), strile, &error);
    const uint64_t count = error ? 0 : TIFFGetStrileByteCountWithErr(tiff_.tiff.get(), strile, &error);
    if (error) return Status::Error(ErrorCode::kCorrupt, "TIFF strip or tile %u has no offset", strile);
    if (offset > size_ || count > size_ - offset) {
      return Status::Error(ErrorCode::kTruncated, "TIFF data ends inside strip or tile %u", strile);
    }
    return Status::Ok();
  }

  Status LibtiffFailed(const char* what) {
    return Status::Error(ErrorCode::kCorrupt, "libtiff cannot decode the TIFF %s (%s)", what,
                         tiff_.file.error[0] != '\0' ? tiff_.file.error : "no detail");
  }

  // Row r of the decoded strip or tile (of each plane) to L.
  void BufferRowToL(uint32_t r, uint32_t columns, uint8_t* dst) {
    const size_t planes = static_cast<size_t>(tiff_.layout.planes);
    if (planes == 1) {
      RowToL(tiff_.layout, buffer_.get() + r * row_bytes_, columns, dst);
      return;
    }
    uint8_t* out = interleaved_.get();
    for (size_t p = 0; p < planes; p++) {
      const uint8_t* in = buffer_.get() + p * buffer_size_ + r * row_bytes_;
      for (size_t i = 0; i < columns; i++) {
        std::memcpy(out + (i * planes + p) * sample_bytes_, in + i * sample_bytes_, sample_bytes_);
      }
    }
    RowToL(tiff_.layout, out, columns, dst);
  }

  Status DecodeStrip(uint32_t band) {
    TIFF* tiff = tiff_.tiff.get();
    // (Planes past the bands are only checked to be in the file.)
    for (int plane = 0; plane < tiff_.layout.stored_planes; plane++) {
      const uint32_t strip = TIFFComputeStrip(tiff, y_, static_cast<uint16_t>(plane));
      const Status present = CheckStrile(strip);
      if (!present.ok()) return present;
      if (plane < tiff_.layout.planes && TIFFReadEncodedStrip(tiff, strip, buffer_.get() + plane * buffer_size_,
                                                              static_cast<tmsize_t>(buffer_size_)) == -1) {
        return LibtiffFailed("strip");
      }
    }
    for (uint32_t r = 0; r < band; r++) BufferRowToL(r, tiff_.stored_width, StoredRow(y_ + r));
    return Status::Ok();
  }

  Status DecodeTileRow(uint32_t band) {
    TIFF* tiff = tiff_.tiff.get();
    const uint32_t width = tiff_.stored_width;
    for (uint64_t x = 0; x < width; x += tile_width_) {
      if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
        return Status::Error(ErrorCode::kCancelled, "cancelled");
      }
      for (int plane = 0; plane < tiff_.layout.stored_planes; plane++) {
        const uint32_t tile = TIFFComputeTile(tiff, static_cast<uint32_t>(x), y_, 0, static_cast<uint16_t>(plane));
        const Status present = CheckStrile(tile);
        if (!present.ok()) return present;
        if (plane < tiff_.layout.planes && TIFFReadEncodedTile(tiff, tile, buffer_.get() + plane * buffer_size_,
                                                               static_cast<tmsize_t>(buffer_size_)) == -1) {
          return LibtiffFailed("tile");
        }
      }
      const uint32_t columns = static_cast<uint32_t>(width - x < tile_width_ ? width - x : tile_width_);
      for (uint32_t r = 0; r < band; r++) BufferRowToL(r, columns, StoredRow(y_ + r) + x);
    }
    return Status::Ok();
  }

  // Pillow's load_end transpose, from the stored image into the target.
  Status Turn() {
    const size_t width = tiff_.stored_width;
    const size_t height = tiff_.stored_height;
    const int orientation = tiff_.load_orientation;
    uint8_t* stored = stored_.get();
    if (kernels::OrientationSwapsAxes(orientation)) {
      if (target_.stride == height) {
        kernels::OrientTransposed(stored, width, height, orientation, target_.data);
      } else {
        std::unique_ptr<uint8_t[]> turned(new (std::nothrow) uint8_t[width * height]);
        if (!turned) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
        kernels::OrientTransposed(stored, width, height, orientation, turned.get());
        for (size_t y = 0; y < width; y++)
          std::memcpy(target_.data + y * target_.stride, turned.get() + y * height, height);
      }
    } else {
      kernels::OrientInPlace(stored, width, height, orientation);
      for (size_t y = 0; y < height; y++) std::memcpy(target_.data + y * target_.stride, stored + y * width, width);
    }
    stored_.reset();
    return Status::Ok();
  }

  Opened tiff_;
  bool tiled_ = false;
  uint32_t tile_width_ = 0;
  uint32_t band_rows_ = 0;  // rows per strip, or tile height
  uint64_t row_bytes_ = 0;  // a decoded row's stride in the buffer
  uint32_t striles_ = 0;
  size_t buffer_size_ = 0;  // of one plane's strip or tile
  struct FreeBytes {
    void operator()(uint8_t* bytes) const { std::free(bytes); }
  };
  std::unique_ptr<uint8_t[], FreeBytes> buffer_;  // one decoded strip or tile (of each plane)
  size_t sample_bytes_ = 0;                       // separate planes: 1 or 2
  std::unique_ptr<uint8_t[]> interleaved_;        // separate planes: one row of them side by side
  std::unique_ptr<uint8_t[]> stored_;             // the image as stored, when the load turns it
  std::unique_ptr<uint32_t[]> raster_;            // RGBA path: one block of libtiff's RGBA words
  TIFFRGBAImage rgba_ = {};
  bool rgba_begun_ = false;
  uint32_t y_ = 0;
};

}  // namespace

Status OpenTiffGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                           std::unique_ptr<GrayDecoder>* decoder) noexcept {
  return OpenFormatDecoder<TiffGrayDecoder>(data, size, options, decoder);
}

const char* TiffLibraryVersion() {
  static const struct Version {
    char text[16];
    Version() : text() {
      // "LIBTIFF, Version 4.5.0\n..."
      const char* full = TIFFGetVersion();
      const char* at = std::strstr(full, "Version ");
      std::snprintf(text, sizeof text, "%s", at != nullptr ? at + 8 : "unknown");
      text[std::strcspn(text, "\n ")] = '\0';
    }
  } version;
  return version.text;
}

const void* TiffLibrarySymbol() { return reinterpret_cast<const void*>(&TIFFGetVersion); }

}  // namespace offloop::codecs
