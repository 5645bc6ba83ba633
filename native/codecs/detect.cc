#include "detect.h"

#include <cstdio>
#include <cstring>
#include <vector>

#include <zlib.h>

#include "bmp_decode.h"
#include "gif_decode.h"
#include "orientation.h"
#include "tiff_decode.h"
#include "webp_decode.h"

namespace offloop::codecs {

namespace {

uint32_t Be16(const uint8_t* p) { return (uint32_t(p[0]) << 8) | p[1]; }
uint32_t Be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

bool StartsWith(const uint8_t* data, size_t size, size_t at, const char* text) {
  size_t n = std::strlen(text);
  return size >= at + n && std::memcmp(data + at, text, n) == 0;
}

bool IsSof(uint8_t m) { return (m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC; }

Status InspectJpeg(const uint8_t* data, size_t size, HeaderInfo* info) {
  size_t pos = 2;  // after SOI
  bool have_sof = false;
  bool have_exif = false;  // Pillow reads the first APP1 Exif only (and no XMP, in 9.4)
  for (;;) {
    // Skip anything up to a 0xFF, then fill bytes (0xFF 0xFF ...), as
    // Pillow's and libjpeg's marker readers do.
    while (pos < size && data[pos] != 0xFF) pos++;
    while (pos < size && data[pos] == 0xFF) pos++;
    if (pos >= size) {
      return Status::Error(ErrorCode::kTruncated, "JPEG data ends before the first scan");
    }
    uint8_t marker = data[pos++];
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD8) return Status::Error(ErrorCode::kCorrupt, "JPEG has a second SOI marker");
    if (marker == 0xD9) {
      return Status::Error(ErrorCode::kCorrupt, "JPEG ends (EOI) before any scan");
    }
    if (size - pos < 2) {
      return Status::Error(ErrorCode::kTruncated, "JPEG data ends inside a marker");
    }
    uint32_t length = Be16(data + pos);
    if (length < 2) return Status::Error(ErrorCode::kCorrupt, "JPEG marker with length %u", length);
    const uint8_t* seg = data + pos + 2;
    size_t seg_len = length - 2;
    bool complete = size - pos >= length;
    if (marker == 0xDA) {
      if (!have_sof) return Status::Error(ErrorCode::kCorrupt, "JPEG scan before any frame header");
      break;
    }
    if (IsSof(marker)) {
      if (!complete) return Status::Error(ErrorCode::kTruncated, "JPEG data ends inside the frame header");
      if (seg_len < 6) return Status::Error(ErrorCode::kCorrupt, "JPEG frame header too short");
      if (have_sof) return Status::Error(ErrorCode::kCorrupt, "JPEG has two frame headers");
      have_sof = true;
      info->bit_depth = seg[0];
      info->height = Be16(seg + 1);
      info->width = Be16(seg + 3);
      info->components = seg[5];
      info->progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
      if (seg_len < 6 + size_t(info->components) * 3) {
        return Status::Error(ErrorCode::kCorrupt, "JPEG frame header too short for %d components", info->components);
      }
      for (int c = 0; c < info->components; c++) {
        int h = seg[6 + c * 3 + 1] >> 4, v = seg[6 + c * 3 + 1] & 15;
        if (h > info->max_h_samp) info->max_h_samp = h;
        if (v > info->max_v_samp) info->max_v_samp = v;
      }
      // Lossless (C3, C7, CB, CF) and arithmetic-coded (C9..CF) frames are
      // reported by the decoder; here they are only described.
    } else if (complete && marker == 0xE0 && seg_len >= 5 && std::memcmp(seg, "JFIF\0", 5) == 0) {
      info->jfif = true;
    } else if (complete && marker == 0xEE && seg_len >= 12 && std::memcmp(seg, "Adobe", 5) == 0) {
      info->adobe_transform = seg[11];
    } else if (complete && marker == 0xE1 && seg_len >= 6 && std::memcmp(seg, "Exif\0\0", 6) == 0 && !have_exif) {
      have_exif = true;
      info->orientation = TiffOrientation(seg + 6, seg_len - 6).value;
    }
    if (!complete) return Status::Error(ErrorCode::kTruncated, "JPEG data ends inside a marker segment");
    pos += length;
  }
  const char* color = "unknown";
  if (info->components == 1) {
    color = "gray";
  } else if (info->components == 3) {
    // libjpeg's guess (jdapimin.c), which Pillow keeps: JFIF or Adobe
    // transform 1 (or no Adobe marker) is YCbCr, Adobe transform 0 is RGB.
    color = (info->adobe_transform == 0 && !info->jfif) ? "rgb" : "ycbcr";
  } else if (info->components == 4) {
    color = info->adobe_transform == 2 ? "ycck" : "cmyk";
  }
  std::snprintf(info->kind, sizeof info->kind, "jpeg %dx%d-bit %s %dx%d %s", info->components, info->bit_depth, color,
                info->max_h_samp, info->max_v_samp, info->progressive ? "progressive" : "baseline");
  if (info->width == 0 || info->height == 0) {
    return Status::Error(ErrorCode::kCorrupt, "JPEG with a zero dimension (%ux%u)", info->width, info->height);
  }
  return Status::Ok();
}

// The orientation sources of a PNG as Pillow collects them into im.info,
// each replacing the one before: the "exif" entry (the last eXIf chunk, or
// text chunk keyed "exif"), the last "Raw profile type exif" text chunk
// (read only without an "exif" entry), and the last XMP text chunk (tEXt,
// zTXt or iTXt "XML:com.adobe.xmp").
struct PngOrientationState {
  bool have_exif = false;
  const uint8_t* exif = nullptr;
  size_t exif_size = 0;
  std::vector<uint8_t> exif_text;  // the bytes of an "exif" text chunk
  bool have_raw_profile = false;
  PngExifText raw_profile;
  int xmp = -1;  // the last XMP packet's orientation (XmpOrientation), -1 none

  void See(const char* name, const uint8_t* body, size_t length) {
    if (std::memcmp(name, "eXIf", 4) == 0) {
      have_exif = true;
      exif = body;
      exif_size = length;
    } else if (std::memcmp(name, "tEXt", 4) == 0 || std::memcmp(name, "zTXt", 4) == 0 ||
               std::memcmp(name, "iTXt", 4) == 0) {
      const int found = PngXmpOrientation(name, body, length);
      if (found != -2) xmp = found;
      PngExifText text = ReadPngExifText(name, body, length);
      if (text.kind == PngExifText::kExifText) {
        // Exif.load drops the "Exif\0\0" an eXIf chunk's entry gets from Pillow.
        const size_t skip = StartsWithExifHeader(text.exif) ? 6 : 0;
        exif_text.assign(text.exif.begin() + ptrdiff_t(skip), text.exif.end());
        have_exif = true;
        exif = exif_text.data();
        exif_size = exif_text.size();
      } else if (text.kind == PngExifText::kRawProfile) {
        have_raw_profile = true;
        raw_profile = std::move(text);
      }
    }
  }

  static bool StartsWithExifHeader(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 6 && std::memcmp(bytes.data(), "Exif\0\0", 6) == 0;
  }

  // PngImageFile.load_end: every chunk up to IEND, no CRC checked; a chunk
  // name that is not four word characters, or data cut short, ends it.
  void SeeAfterImageData(const uint8_t* data, size_t size, size_t pos) {
    while (size - pos >= 12) {
      const uint32_t length = Be32(data + pos);
      const char* name = reinterpret_cast<const char*>(data + pos + 4);
      for (int i = 0; i < 4; i++) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return;
      }
      if (std::memcmp(name, "IEND", 4) == 0 || size - pos - 12 < length) return;
      See(name, data + pos + 8, length);
      pos += size_t(length) + 12;
    }
  }

  // Image.getexif: the EXIF Orientation tag (of the "exif" entry, else of
  // the raw profile); without one, the XMP's.
  int Orientation() const {
    if (have_exif) {
      const ExifOrientation tag = TiffOrientation(exif, exif_size);
      if (tag.present) return tag.value;
    } else if (have_raw_profile && !raw_profile.undecodable) {
      const size_t skip = StartsWithExifHeader(raw_profile.exif) ? 6 : 0;
      const ExifOrientation tag = TiffOrientation(raw_profile.exif.data() + skip, raw_profile.exif.size() - skip);
      if (tag.present) return tag.value;
    }
    return xmp > 0 ? xmp : 0;
  }
};

bool IsChunkName(const uint8_t* p) {
  for (int i = 0; i < 4; i++) {
    uint8_t c = p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

}  // namespace

const char* FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kGif:
      return "gif";
    case ImageFormat::kTiff:
      return "tiff";
    case ImageFormat::kHeif:
      return "heif";
    case ImageFormat::kAvif:
      return "avif";
    case ImageFormat::kBmp:
      return "bmp";
    case ImageFormat::kJpegXl:
      return "jxl";
    case ImageFormat::kJpeg2000:
      return "jp2";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

namespace {

// The first 1-7 bytes of a PNG signature, 1-2 of a JPEG's SOI and marker,
// 1-5 of a GIF's, a BMP's "BM" and less than the rest of its file header, or
// a RIFF header cut before its form type (a WebP's "WEBP"), or 1-3 bytes of a
// TIFF's byte order and magic number.
bool IsSignaturePrefix(const uint8_t* data, size_t size) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  static const uint8_t kJpeg[3] = {0xFF, 0xD8, 0xFF};
  return (size < sizeof kPng && std::memcmp(data, kPng, size) == 0) ||
         (size < sizeof kJpeg && std::memcmp(data, kJpeg, size) == 0) ||
         (size < 6 && (std::memcmp(data, "GIF87a", size) == 0 || std::memcmp(data, "GIF89a", size) == 0)) ||
         (size < 14 && std::memcmp(data, "BM", size < 2 ? size : 2) == 0) ||
         (size < 12 && std::memcmp(data, "RIFF", size < 4 ? size : 4) == 0) ||
         (size < 4 && (std::memcmp(data, "II*", size) == 0 || std::memcmp(data, "MM\0", size) == 0));
}

}  // namespace

ImageFormat DetectFormat(const uint8_t* data, size_t size) {
  if (data == nullptr) return ImageFormat::kUnknown;
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat::kJpeg;
  if (size >= 8 && std::memcmp(data, kPng, 8) == 0) return ImageFormat::kPng;
  if (StartsWith(data, size, 0, "RIFF") && StartsWith(data, size, 8, "WEBP")) return ImageFormat::kWebp;
  if (StartsWith(data, size, 0, "GIF87a") || StartsWith(data, size, 0, "GIF89a")) return ImageFormat::kGif;
  if (size >= 4 && ((data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0) ||
                    (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43)))) {
    return ImageFormat::kTiff;
  }
  if (StartsWith(data, size, 0, "BM") && size >= 14) return ImageFormat::kBmp;
  if (size >= 2 && data[0] == 0xFF && data[1] == 0x0A) return ImageFormat::kJpegXl;
  static const uint8_t kJxlBox[12] = {0, 0, 0, 12, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  if (size >= 12 && std::memcmp(data, kJxlBox, 12) == 0) return ImageFormat::kJpegXl;
  static const uint8_t kJp2Box[12] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  if (size >= 12 && std::memcmp(data, kJp2Box, 12) == 0) return ImageFormat::kJpeg2000;
  if (size >= 4 && data[0] == 0xFF && data[1] == 0x4F && data[2] == 0xFF && data[3] == 0x51) {
    return ImageFormat::kJpeg2000;  // raw codestream
  }
  // ISO-BMFF: size, "ftyp", major brand.
  if (StartsWith(data, size, 4, "ftyp") && size >= 12) {
    const char* avif[] = {"avif", "avis"};
    const char* heif[] = {"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1"};
    for (const char* brand : avif) {
      if (StartsWith(data, size, 8, brand)) return ImageFormat::kAvif;
    }
    for (const char* brand : heif) {
      if (StartsWith(data, size, 8, brand)) return ImageFormat::kHeif;
    }
  }
  return ImageFormat::kUnknown;
}

Status InspectPng(const uint8_t* data, size_t size, HeaderInfo* info, PngLayout* layout) {
  *info = HeaderInfo();
  *layout = PngLayout();
  info->format = ImageFormat::kPng;
  size_t pos = 8;
  bool have_ihdr = false;
  PngOrientationState orientation;
  for (;;) {
    if (size - pos < 8) return Status::Error(ErrorCode::kTruncated, "PNG data ends before the image data");
    uint32_t length = Be32(data + pos);
    const uint8_t* name = data + pos + 4;
    if (!IsChunkName(name)) return Status::Error(ErrorCode::kCorrupt, "PNG chunk with an invalid name");
    if (length > 0x7FFFFFFFu) return Status::Error(ErrorCode::kCorrupt, "PNG chunk length over 2^31-1");
    bool idat = std::memcmp(name, "IDAT", 4) == 0;
    if (!have_ihdr && std::memcmp(name, "IHDR", 4) != 0) {
      return Status::Error(ErrorCode::kCorrupt, "PNG does not start with IHDR");
    }
    if (idat) {
      if (info->png_color_type == 3 && layout->palette_offset == 0) {
        return Status::Error(ErrorCode::kCorrupt, "PNG palette image without PLTE");
      }
      layout->first_idat = pos;
      break;
    }
    if (size - pos - 8 < size_t(length) + 4) {
      return Status::Error(ErrorCode::kTruncated, "PNG data ends inside a chunk before the image data");
    }
    const uint8_t* body = data + pos + 8;
    // Pillow checks the CRC of every chunk before the first IDAT.
    uLong crc = crc32(0L, name, 4);
    crc = crc32(crc, body, length);
    if (uint32_t(crc) != Be32(body + length)) {
      return Status::Error(ErrorCode::kCorrupt, "PNG chunk %.4s has a bad CRC", reinterpret_cast<const char*>(name));
    }
    if (std::memcmp(name, "IHDR", 4) == 0) {
      if (have_ihdr) return Status::Error(ErrorCode::kCorrupt, "PNG has two IHDR chunks");
      if (length != 13) return Status::Error(ErrorCode::kCorrupt, "PNG IHDR of length %u", length);
      have_ihdr = true;
      info->width = Be32(body);
      info->height = Be32(body + 4);
      info->bit_depth = body[8];
      info->png_color_type = body[9];
      info->progressive = body[12] == 1;
      int d = info->bit_depth;
      bool valid = false;
      switch (info->png_color_type) {
        case 0:
          valid = d == 1 || d == 2 || d == 4 || d == 8 || d == 16;
          info->components = 1;
          break;
        case 2:
          valid = d == 8 || d == 16;
          info->components = 3;
          break;
        case 3:
          valid = d == 1 || d == 2 || d == 4 || d == 8;
          info->components = 1;
          break;
        case 4:
          valid = d == 8 || d == 16;
          info->components = 2;
          break;
        case 6:
          valid = d == 8 || d == 16;
          info->components = 4;
          break;
        default:
          break;
      }
      if (!valid) {
        return Status::Error(ErrorCode::kCorrupt, "PNG with bit depth %d and colour type %d", d, info->png_color_type);
      }
      if (info->width == 0 || info->height == 0 || info->width > 0x7FFFFFFFu || info->height > 0x7FFFFFFFu) {
        return Status::Error(ErrorCode::kCorrupt, "PNG with dimensions %ux%u", info->width, info->height);
      }
      if (body[10] != 0 || body[11] != 0 || body[12] > 1) {
        return Status::Error(ErrorCode::kCorrupt, "PNG with unknown compression, filter or interlace method");
      }
    } else if (std::memcmp(name, "PLTE", 4) == 0) {
      layout->palette_offset = pos + 8;
      layout->palette_length = length;
    } else if (std::memcmp(name, "IEND", 4) == 0) {
      return Status::Error(ErrorCode::kCorrupt, "PNG ends (IEND) before any image data");
    }
    orientation.See(reinterpret_cast<const char*>(name), body, length);
    pos += size_t(length) + 12;
  }
  // Pillow reads the chunks after the image data only when it loads the
  // image, which getexif does when no EXIF came before it.
  if (!orientation.have_exif) orientation.SeeAfterImageData(data, size, layout->first_idat);
  info->orientation = orientation.Orientation();
  static const char* kColor[] = {"gray", "?", "rgb", "palette", "gray+alpha", "?", "rgba"};
  std::snprintf(info->kind, sizeof info->kind, "png %d-bit %s%s", info->bit_depth, kColor[info->png_color_type],
                info->progressive ? " adam7" : "");
  return Status::Ok();
}

Status UnreadableFormat(const uint8_t* data, size_t size, ImageFormat format) {
  // A few bytes that begin a signature are the start of a cut file.
  if (format == ImageFormat::kUnknown && IsSignaturePrefix(data, size)) {
    return Status::Error(ErrorCode::kTruncated, "image data ends inside the file signature (%zu bytes)", size);
  }
  // One wording whether the format has a name or not: "unsupported format: webp (...)", "...: unknown (...)".
  return Status::Error(ErrorCode::kUnsupported,
                       "unsupported format: %s (offloop reads JPEG, PNG, WebP, TIFF, GIF and BMP)", FormatName(format));
}

Status InspectHeader(const uint8_t* data, size_t size, HeaderInfo* info) {
  *info = HeaderInfo();
  if (data == nullptr && size != 0) return Status::Error(ErrorCode::kInvalidArgument, "no input data");
  if (size == 0) return Status::Error(ErrorCode::kEmpty, "empty input");
  info->format = DetectFormat(data, size);
  switch (info->format) {
    case ImageFormat::kJpeg:
      return InspectJpeg(data, size, info);
    case ImageFormat::kPng: {
      PngLayout layout;
      return InspectPng(data, size, info, &layout);
    }
    case ImageFormat::kGif: {
      GifLayout layout;
      return InspectGif(data, size, info, &layout);
    }
    case ImageFormat::kBmp: {
      BmpLayout layout;
      return InspectBmp(data, size, info, &layout);
    }
    case ImageFormat::kWebp:
      return InspectWebp(data, size, info);
    case ImageFormat::kTiff:
      return InspectTiff(data, size, info);
    default:
      if (info->format != ImageFormat::kUnknown) {
        std::snprintf(info->kind, sizeof info->kind, "%s", FormatName(info->format));
      }
      return UnreadableFormat(data, size, info->format);
  }
}

Status ScreenPrefix(const uint8_t* data, size_t size, bool complete, uint64_t max_pixels, bool* need_more) {
  *need_more = false;
  // Every signature DetectFormat knows fits in 16 bytes.
  if (size < 16 && !complete) {
    *need_more = true;
    return Status::Ok();
  }
  // libwebp reads a WebP's size from a prefix, and the limit is judged on it
  // first; a whole file is then judged by InspectHeader below as well.
  if (DetectFormat(data, size) == ImageFormat::kWebp) {
    const Status screened = ScreenWebpPrefix(data, size, complete, max_pixels, need_more);
    if (!screened.ok() || !complete) return screened;
  }
  // A TIFF's size is in its first directory, which may be anywhere (often at
  // the end); libtiff reads the whole file, so the rest waits for all of it.
  if (DetectFormat(data, size) == ImageFormat::kTiff) {
    const Status screened = ScreenTiffPrefix(data, size, complete, max_pixels, need_more);
    if (!screened.ok() || !complete) return screened;
  }
  HeaderInfo info;
  const Status header = InspectHeader(data, size, &info);
  if (header.ok()) return CheckPixelLimit(info.width, info.height, max_pixels);
  if (info.format == ImageFormat::kUnknown || info.format == ImageFormat::kTiff || info.format == ImageFormat::kHeif ||
      info.format == ImageFormat::kAvif || info.format == ImageFormat::kJpegXl ||
      info.format == ImageFormat::kJpeg2000) {
    return header;
  }
  if (header.code == ErrorCode::kTruncated && !complete) {
    *need_more = true;
    return Status::Ok();
  }
  // A PNG, GIF or BMP header error is the decoder's too (it walks the same
  // way) once the whole file is there; a BMP palette cut by the prefix may
  // read otherwise, so before that only truncation is judged. For a JPEG,
  // libjpeg decides what decodes, and may accept what this walk did not.
  if (info.format == ImageFormat::kPng || (complete && info.format != ImageFormat::kJpeg)) return header;
  return Status::Ok();
}

Status CheckPixelLimit(uint64_t width, uint64_t height, uint64_t max_pixels) {
  if (max_pixels != 0 && width * height > max_pixels) {
    return Status::Error(ErrorCode::kTooLarge, "%llux%llu is %llu pixels, over the limit of %llu",
                         static_cast<unsigned long long>(width), static_cast<unsigned long long>(height),
                         static_cast<unsigned long long>(width * height), static_cast<unsigned long long>(max_pixels));
  }
  return Status::Ok();
}

}  // namespace offloop::codecs
