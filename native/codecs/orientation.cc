#include "orientation.h"

#include <cmath>
#include <cstring>
#include <vector>

#include <zlib.h>

namespace offloop::codecs {

namespace {

// Bytes per value of the TIFF types Pillow 9.4 loads (TiffImagePlugin's
// _load_dispatch); 0 for the others, whose entries it skips.
size_t TypeSize(uint32_t type) {
  switch (type) {
    case 1:
    case 2:
    case 6:
    case 7:
      return 1;  // BYTE ASCII SBYTE UNDEFINED
    case 3:
    case 8:
      return 2;  // SHORT SSHORT
    case 4:
    case 9:
    case 11:
    case 13:
      return 4;  // LONG SLONG FLOAT IFD
    case 5:
    case 10:
    case 12:
    case 16:
      return 8;  // RATIONAL SRATIONAL DOUBLE LONG8
    default:
      return 0;
  }
}

struct Reader {
  const uint8_t* p;
  bool little;
  uint32_t U16(size_t at) const {
    return little ? (uint32_t(p[at + 1]) << 8) | p[at] : (uint32_t(p[at]) << 8) | p[at + 1];
  }
  uint32_t U32(size_t at) const {
    return little ? (uint32_t(p[at + 3]) << 24) | (uint32_t(p[at + 2]) << 16) | (uint32_t(p[at + 1]) << 8) | p[at]
                  : (uint32_t(p[at]) << 24) | (uint32_t(p[at + 1]) << 16) | (uint32_t(p[at + 2]) << 8) | p[at + 3];
  }
  uint64_t U64(size_t at) const {
    return little ? (uint64_t(U32(at + 4)) << 32) | U32(at) : (uint64_t(U32(at)) << 32) | U32(at + 4);
  }
};

// Pillow compares the value with the keys 1..8 of a dict: equal numbers
// (6, 6.0, 12/2) match, anything else does not.
int AsOrientation(double value) {
  if (!(value >= 1 && value <= 8) || std::floor(value) != value) return 0;
  return static_cast<int>(value);
}

int FirstValueOrientation(const Reader& r, uint32_t type, size_t at) {
  switch (type) {
    case 3:
      return AsOrientation(r.U16(at));
    case 4:
    case 13:
      return AsOrientation(r.U32(at));
    case 6:
      return AsOrientation(static_cast<int8_t>(r.p[at]));
    case 8:
      return AsOrientation(static_cast<int16_t>(r.U16(at)));
    case 9:
      return AsOrientation(static_cast<int32_t>(r.U32(at)));
    case 16: {
      const uint64_t v = r.U64(at);
      return v <= 8 ? AsOrientation(double(v)) : 0;
    }
    case 5:
    case 10: {
      const bool is_signed = type == 10;
      const double num = is_signed ? double(static_cast<int32_t>(r.U32(at))) : double(r.U32(at));
      const double den = is_signed ? double(static_cast<int32_t>(r.U32(at + 4))) : double(r.U32(at + 4));
      if (den == 0) return 0;  // Pillow: NaN
      const double q = num / den;
      // Exact: k/1 .. k*den, tested on integers (no rounding of 6.0000001).
      return AsOrientation(q) != 0 && double(AsOrientation(q)) * den == num ? AsOrientation(q) : 0;
    }
    case 11: {
      uint32_t bits = r.U32(at);
      float f;
      std::memcpy(&f, &bits, 4);
      return AsOrientation(f);
    }
    case 12: {
      uint64_t bits = r.U64(at);
      double d;
      std::memcpy(&d, &bits, 8);
      return AsOrientation(d);
    }
    default:
      return 0;  // BYTE, ASCII, UNDEFINED: bytes or text, never equal to a number
  }
}

// Python's strict UTF-8 (no overlong forms, surrogates or values past
// U+10FFFF), which Pillow asks of an iTXt's text.
bool IsUtf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = s[i];
    size_t extra;
    uint32_t min;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      min = 0x80;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      min = 0x800;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else
      return false;
    if (n - i <= extra) return false;
    for (size_t k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// Inflates a zlib stream and looks for the XMP orientation in what comes
// out, a window at a time (a window keeps the last 17 bytes of the one
// before: a match is 18). As Pillow's _safe_zlib_decompress: up to 1 MiB of
// text (past that Pillow refuses the file; here the search stops), and a
// stream cut short gives the text before the cut. `ok` false: corrupt data,
// for which Pillow keeps no text.
int InflatedXmpOrientation(const uint8_t* data, size_t size, bool* ok) {
  *ok = false;
  z_stream z;
  std::memset(&z, 0, sizeof z);
  if (inflateInit(&z) != Z_OK) return -1;
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size > 0x7FFFFFFF ? 0x7FFFFFFF : size);
  constexpr size_t kKeep = 17;
  constexpr size_t kStep = 4096;
  uint8_t window[kStep + kKeep];
  size_t kept = 0;
  size_t total = 0;
  int found = -1;
  int rc = Z_OK;
  while (rc == Z_OK && total < (size_t{1} << 20)) {
    z.next_out = window + kept;
    z.avail_out = kStep;
    rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = kStep - z.avail_out;
    total += produced;
    const size_t have = kept + produced;
    if (found < 0) found = XmpOrientation(window, have);
    kept = have < kKeep ? have : kKeep;
    std::memmove(window, window + have - kept, kept);
    if (rc == Z_OK && produced == 0 && z.avail_in == 0) break;  // the stream is cut short
  }
  *ok = rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR;
  inflateEnd(&z);
  return found;
}

const char kXmpKey[] = "XML:com.adobe.xmp";

// An iTXt chunk's fields after its keyword's NUL, as Pillow's chunk_iTXt
// splits them; false where Pillow drops the chunk (fields missing, the
// language tag or translated keyword not UTF-8).
struct ITxtText {
  uint8_t compressed;  // compression flag
  uint8_t method;
  const uint8_t* text;
  size_t size;
};
bool ReadITxt(const uint8_t* rest, size_t left, ITxtText* out) {
  if (left < 2) return false;
  out->compressed = rest[0];
  out->method = rest[1];
  rest += 2;
  left -= 2;
  // Language tag and translated keyword, each NUL-terminated, UTF-8.
  const uint8_t* language_end = static_cast<const uint8_t*>(std::memchr(rest, 0, left));
  if (language_end == nullptr) return false;
  const size_t language = size_t(language_end - rest);
  const uint8_t* translated = language_end + 1;
  const size_t after_language = left - language - 1;
  const uint8_t* translated_end = static_cast<const uint8_t*>(std::memchr(translated, 0, after_language));
  if (translated_end == nullptr) return false;
  if (!IsUtf8(rest, language) || !IsUtf8(translated, size_t(translated_end - translated))) return false;
  out->text = translated_end + 1;
  out->size = after_language - size_t(translated_end - translated) - 1;
  return true;
}

// Pillow's _safe_zlib_decompress: at most MAX_TEXT_CHUNK (1 MiB) out.
enum class Inflated { kOk, kTooLarge, kBadData };
constexpr size_t kMaxTextChunk = size_t{1} << 20;
Inflated InflateText(const uint8_t* data, size_t size, std::vector<uint8_t>* out) {
  out->assign(kMaxTextChunk, 0);
  z_stream z;
  std::memset(&z, 0, sizeof z);
  if (inflateInit(&z) != Z_OK) return Inflated::kBadData;
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size > 0x7FFFFFFF ? 0x7FFFFFFF : size);
  z.next_out = out->data();
  z.avail_out = static_cast<uInt>(kMaxTextChunk);
  int rc = Z_OK;
  while (rc == Z_OK && z.avail_out > 0 && z.avail_in > 0) rc = inflate(&z, Z_NO_FLUSH);
  const size_t produced = kMaxTextChunk - z.avail_out;
  const bool input_left = z.avail_in > 0;
  inflateEnd(&z);
  out->resize(produced);
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return Inflated::kBadData;
  // Output full with input not consumed: Python's unconsumed_tail, which
  // Pillow refuses. A stream cut short gives what it held, as zlib does.
  if (rc != Z_STREAM_END && z.avail_out == 0 && input_left) return Inflated::kTooLarge;
  return Inflated::kOk;
}

bool IsPythonSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

int HexDigit(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytes.fromhex("".join(text.split("\n")[3:])): false where it raises.
bool DecodeRawProfile(const uint8_t* text, size_t size, std::vector<uint8_t>* out) {
  out->clear();
  size_t at = 0;
  for (int line = 0; line < 3; line++) {
    const void* newline = std::memchr(text + at, '\n', size - at);
    if (newline == nullptr) return true;  // no fourth line: "" -> b""
    at = size_t(static_cast<const uint8_t*>(newline) - text) + 1;
  }
  out->reserve((size - at) / 2);
  // The newlines are joined away before fromhex sees the text, so a pair
  // may straddle one; other whitespace may only come between pairs.
  const auto next = [&]() -> int {
    while (at < size && text[at] == '\n') at++;
    return at < size ? text[at++] : -1;
  };
  for (;;) {
    const int c = next();
    if (c < 0) return true;
    if (IsPythonSpace(uint8_t(c))) continue;
    const int d = next();
    const int high = HexDigit(uint8_t(c));
    const int low = d < 0 ? -1 : HexDigit(uint8_t(d));
    if (high < 0 || low < 0) return false;
    out->push_back(uint8_t(high << 4 | low));
  }
}

// A text chunk's keyword (Pillow: up to the first NUL, or the whole body)
// and whether it equals `key`; `rest` and `left` then follow the NUL.
bool KeywordIs(const uint8_t* body, size_t size, const char* key, const uint8_t** rest, size_t* left) {
  const size_t length = std::strlen(key);
  if (size < length || std::memcmp(body, key, length) != 0) return false;
  if (size == length) {  // no NUL: the whole body is the keyword, the text ""
    *rest = body + size;
    *left = 0;
    return true;
  }
  if (body[length] != 0) return false;
  *rest = body + length + 1;
  *left = size - length - 1;
  return true;
}

}  // namespace

ExifOrientation TiffOrientation(const uint8_t* p, size_t n) {
  ExifOrientation result;
  if (p == nullptr || n < 8) return result;
  Reader r{p, p[0] == 'I'};
  // TiffImagePlugin.PREFIXES without BigTIFF: the byte order, then 42 in
  // either order (Pillow reads the 42 no further).
  const bool order = (p[0] == 'I' && p[1] == 'I') || (p[0] == 'M' && p[1] == 'M');
  const bool magic = (p[2] == 42 && p[3] == 0) || (p[2] == 0 && p[3] == 42);
  if (!order || !magic) return result;
  const uint32_t ifd = r.U32(4);
  if (ifd > n || n - ifd < 2) return result;
  const uint32_t entries = r.U16(ifd);
  for (uint32_t i = 0; i < entries; i++) {
    const size_t at = size_t(ifd) + 2 + size_t(i) * 12;
    if (at + 12 > n) break;  // Pillow keeps what it read before the cut
    if (r.U16(at) != 0x0112) continue;
    const uint32_t type = r.U16(at + 2);
    const uint64_t count = r.U32(at + 4);
    const size_t unit = TypeSize(type);
    if (unit == 0 || count == 0) continue;  // unknown type, or no data: skipped
    const uint64_t bytes = count * unit;
    size_t value_at = at + 8;
    if (bytes > 4) {
      const uint32_t offset = r.U32(at + 8);
      if (offset > n || n - offset < bytes) continue;  // "possibly corrupt": skipped
      value_at = offset;
    }
    result.present = true;
    result.value = FirstValueOrientation(r, type, value_at);
  }
  return result;
}

int XmpOrientation(const uint8_t* text, size_t size) {
  static const char kTag[] = "tiff:Orientation";
  const size_t tag = sizeof kTag - 1;
  for (size_t i = 0; i + tag < size; i++) {
    if (std::memcmp(text + i, kTag, tag) != 0) continue;
    size_t at = i + tag;
    if (text[at] == '>') {
      at += 1;
    } else if (text[at] == '=' && at + 1 < size && text[at + 1] == '"') {
      at += 2;
    } else {
      continue;
    }
    if (at < size && text[at] >= '0' && text[at] <= '9') {
      const int digit = text[at] - '0';
      return digit >= 1 && digit <= 8 ? digit : 0;
    }
  }
  return -1;
}

int PngXmpOrientation(const char* name, const uint8_t* body, size_t size) {
  const size_t key = sizeof kXmpKey - 1;
  // Every text chunk starts with its keyword and a NUL.
  if (size < key + 1 || std::memcmp(body, kXmpKey, key) != 0 || body[key] != 0) return -2;
  const uint8_t* rest = body + key + 1;
  size_t left = size - key - 1;
  if (std::memcmp(name, "tEXt", 4) == 0) return XmpOrientation(rest, left);
  if (std::memcmp(name, "zTXt", 4) == 0) {
    // Method 0 (zlib) only (Pillow refuses the file for another; here it is
    // ignored). Text that does not inflate is kept by Pillow as "".
    if (left == 0 || rest[0] != 0) return -2;
    bool ok;
    const int found = InflatedXmpOrientation(rest + 1, left - 1, &ok);
    return ok ? found : -1;  // kept as "": no orientation, and it replaces an earlier packet
  }
  if (std::memcmp(name, "iTXt", 4) == 0) {
    ITxtText itxt;
    if (!ReadITxt(rest, left, &itxt)) return -2;
    if (itxt.compressed != 0) {
      if (itxt.method != 0) return -2;
      bool ok;
      const int found = InflatedXmpOrientation(itxt.text, itxt.size, &ok);
      // Whether the inflated text is UTF-8 is not checked: a match is
      // ASCII, and XMP packets are UTF-8.
      return ok ? found : -2;
    }
    if (!IsUtf8(itxt.text, itxt.size)) return -2;
    return XmpOrientation(itxt.text, itxt.size);
  }
  return -2;
}

PngExifText ReadPngExifText(const char* name, const uint8_t* body, size_t size) {
  PngExifText found;
  const uint8_t* rest;
  size_t left;
  const bool raw_profile = KeywordIs(body, size, "Raw profile type exif", &rest, &left);
  const bool exif_key = !raw_profile && KeywordIs(body, size, "exif", &rest, &left);
  if (!raw_profile && !exif_key) return found;
  // The chunk's text as Pillow keeps it, and whether it keeps the chunk.
  const uint8_t* text = rest;
  size_t text_size = left;
  std::vector<uint8_t> inflated;
  if (std::memcmp(name, "tEXt", 4) == 0) {
    if (exif_key) {  // kept as bytes: the "exif" entry itself
      found.kind = PngExifText::kExifText;
      found.exif.assign(text, text + text_size);
      return found;
    }
  } else if (std::memcmp(name, "zTXt", 4) == 0) {
    // Another method: Pillow refuses the file (here the chunk is passed
    // over). Data that does not inflate is kept as "".
    if (text_size > 0 && text[0] != 0) return found;
    const Inflated status = text_size == 0 ? Inflated::kOk : InflateText(text + 1, text_size - 1, &inflated);
    if (status == Inflated::kTooLarge) return found;  // Pillow refuses the file
    if (status == Inflated::kBadData) inflated.clear();
    text = inflated.data();
    text_size = inflated.size();
  } else if (std::memcmp(name, "iTXt", 4) == 0) {
    ITxtText itxt;
    if (!ReadITxt(rest, left, &itxt)) return found;
    text = itxt.text;
    text_size = itxt.size;
    if (itxt.compressed != 0) {
      if (itxt.method != 0 || InflateText(itxt.text, itxt.size, &inflated) != Inflated::kOk) return found;
      text = inflated.data();
      text_size = inflated.size();
    }
    if (!IsUtf8(text, text_size)) return found;
  } else {
    return found;
  }
  if (exif_key) {  // a zTXt's or iTXt's text: Pillow's getexif fails on it
    found.kind = PngExifText::kExifText;
    found.undecodable = true;
    return found;
  }
  found.kind = PngExifText::kRawProfile;
  found.undecodable = !DecodeRawProfile(text, text_size, &found.exif);
  if (found.undecodable) found.exif.clear();
  return found;
}

}  // namespace offloop::codecs
