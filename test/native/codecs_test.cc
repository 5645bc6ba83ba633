// Tests of native/codecs against the golden files in test/fixtures/images
// (Pillow 9.4's results, made by scripts/make-image-fixtures.py): exact
// decodes bit for bit, luma decodes against Pillow's draft('L'), Pillow's
// verdict on truncated files, encodes against Pillow's save() round trips;
// then bad input (every truncation, random byte flips in a child process,
// huge header dimensions) must give an error or an image, never a crash.
//
//   codecs_test <fixtures dir>            tests
//   codecs_test <fixtures dir> --bench    also timings on generated large images
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <zlib.h>

#include "check.h"
#include "codecs/detect.h"
#include "codecs/errors.h"
#include "codecs/gray_decoder.h"
#include "codecs/jpeg_decode.h"
#include "codecs/jpeg_encode.h"
#include "codecs/jpeg_luma_copy.h"
#include "codecs/orientation.h"
#include "codecs/png_decode.h"
#include "codecs/png_encode.h"
#include "codecs/png_filter.h"
#include "codecs/png_segments.h"

#ifdef OFFLOOP_WITH_KERNELS
#include "kernels/grayscale.h"
#endif
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#if defined(OFFLOOP_WITH_LIBDEFLATE) || OFFLOOP_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

using namespace offloop::codecs;

namespace {

using offloop::testing::Check;

std::string g_dir;

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::printf("cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint64_t Fnv1a64(const std::vector<uint8_t>& bytes) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001B3ull;
  }
  return h;
}

// ---- the manifest: one JSON object per line (see make-image-fixtures.py)

std::string StringField(const std::string& line, const std::string& key) {
  std::string pattern = "\"" + key + "\": \"";
  size_t at = line.find(pattern);
  if (at == std::string::npos) return "";
  at += pattern.size();
  return line.substr(at, line.find('"', at) - at);
}

long IntField(const std::string& line, const std::string& key) {
  std::string pattern = "\"" + key + "\": ";
  size_t at = line.find(pattern);
  if (at == std::string::npos) return -1;
  return std::strtol(line.c_str() + at + pattern.size(), nullptr, 10);
}

struct Cut {
  size_t length;
  std::string verdict;  // "err" or 16 hex digits
};

struct DecodeCase {
  std::string file, kind, exact, luma;
  uint32_t width = 0, height = 0;
  std::vector<Cut> cuts;
};

struct EncodeCase {
  std::string source, format, file, decoded;
  uint32_t width = 0, height = 0;
  int quality = -1, level = -1;
};

struct CorruptCase {
  std::string file, kind, verdict;
};

void LoadManifest(std::vector<DecodeCase>* decode, std::vector<EncodeCase>* encode, std::vector<CorruptCase>* corrupt) {
  std::ifstream in(g_dir + "/manifest.json");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"file\"", 0) == 0) {
      DecodeCase c;
      c.file = StringField(line, "file");
      c.kind = StringField(line, "kind");
      c.exact = StringField(line, "exact");
      c.luma = StringField(line, "luma");
      c.width = static_cast<uint32_t>(IntField(line, "width"));
      c.height = static_cast<uint32_t>(IntField(line, "height"));
      size_t at = line.find("\"truncated\": [");
      if (at != std::string::npos) {
        const char* p = line.c_str() + at + 14;
        while (*p == '[') {
          Cut cut;
          cut.length = std::strtoul(p + 1, const_cast<char**>(&p), 10);
          const char* q = std::strchr(p, '"') + 1;
          const char* e = std::strchr(q, '"');
          cut.verdict.assign(q, e);
          c.cuts.push_back(cut);
          p = e + 2;  // past `"]`
          if (*p == ',') p += 2;
        }
      }
      decode->push_back(c);
    } else if (line.rfind("{\"corrupt\"", 0) == 0) {
      corrupt->push_back({StringField(line, "corrupt"), StringField(line, "kind"), StringField(line, "verdict")});
    } else if (line.rfind("{\"source\"", 0) == 0) {
      EncodeCase c;
      c.source = StringField(line, "source");
      c.format = StringField(line, "format");
      c.file = StringField(line, "file");
      c.decoded = StringField(line, "decoded");
      c.width = static_cast<uint32_t>(IntField(line, "width"));
      c.height = static_cast<uint32_t>(IntField(line, "height"));
      c.quality = static_cast<int>(IntField(line, "quality"));
      c.level = static_cast<int>(IntField(line, "compress_level"));
      encode->push_back(c);
    }
  }
}

// ---- decoding helpers

Status Decode(const std::vector<uint8_t>& bytes, const DecodeOptions& options, GrayImage* image) {
  return DecodeGray(bytes.data(), bytes.size(), options, image);
}

// Decodes in bands of `band` rows into a target with padding after each row
// (stride > width), and checks the padding is never written.
Status DecodeBanded(const std::vector<uint8_t>& bytes, const DecodeOptions& options, uint32_t band,
                    std::vector<uint8_t>* packed, int* steps) {
  std::unique_ptr<GrayDecoder> decoder;
  Status s = OpenGrayDecoder(bytes.data(), bytes.size(), options, &decoder);
  if (!s.ok()) return s;
  const uint32_t w = decoder->width(), h = decoder->height();
  const size_t stride = w + 5;
  std::vector<uint8_t> target(stride * h, 0xA5);
  s = decoder->Start({target.data(), stride});
  DecodeProgress progress;
  *steps = 0;
  uint64_t last_done = 0;
  while (s.ok() && !progress.finished) {
    s = decoder->Step(band, &progress);
    (*steps)++;
    if (progress.done < last_done) return Status::Error(ErrorCode::kInternal, "progress went back");
    last_done = progress.done;
  }
  if (!s.ok()) return s;
  packed->resize(size_t(w) * h);
  for (uint32_t y = 0; y < h; y++) {
    std::memcpy(packed->data() + size_t(y) * w, target.data() + y * stride, w);
    for (size_t x = w; x < stride; x++) {
      if (target[y * stride + x] != 0xA5) return Status::Error(ErrorCode::kInternal, "wrote past the row");
    }
  }
  return s;
}

std::string Describe(const Status& s) { return std::string(ErrorCodeName(s.code)) + ": " + s.message; }

// ---- tests

void TestDecodeExact(const std::vector<DecodeCase>& cases) {
  int exact_ok = 0;
  for (const DecodeCase& c : cases) {
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    std::vector<uint8_t> want = ReadFile(g_dir + "/" + c.exact);
    GrayImage image;
    Status s = Decode(bytes, DecodeOptions(), &image);
    bool same = s.ok() && image.width == c.width && image.height == c.height && image.pixels == want;
    Check(same,
          "exact decode of " + c.file + " (" + c.kind + ") equals Pillow: " + (s.ok() ? "pixels differ" : Describe(s)));
    if (same) exact_ok++;
    Check(!image.luma, c.file + ": exact mode never reports luma");
    // Same bytes whatever the band size, into a padded target.
    for (uint32_t band : {1u, 7u, 100000u}) {
      std::vector<uint8_t> banded;
      int steps = 0;
      Status b = DecodeBanded(bytes, DecodeOptions(), band, &banded, &steps);
      Check(b.ok() && banded == want, c.file + ": bands of " + std::to_string(band) + " rows give the same bytes" +
                                          (b.ok() ? "" : " (" + Describe(b) + ")"));
    }
    // Header inspection agrees on the size.
    HeaderInfo info;
    Status hs = InspectHeader(bytes.data(), bytes.size(), &info);
    Check(hs.ok() && info.width == c.width && info.height == c.height,
          c.file + ": InspectHeader gives its size" + (hs.ok() ? "" : " (" + Describe(hs) + ")"));
  }
  std::printf("exact: %d of %zu fixtures bit-exact with Pillow's convert('L')\n", exact_ok, cases.size());
}

void TestJpegPaths(const std::vector<DecodeCase>& cases) {
  // The other ways to get L out of a YCbCr JPEG give the same bytes.
  for (const DecodeCase& c : cases) {
    if (c.file.rfind("jpeg/", 0) != 0) continue;
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    std::vector<uint8_t> want = ReadFile(g_dir + "/" + c.exact);
    for (JpegExactPath path : {JpegExactPath::kRgb, JpegExactPath::kFusedYcc}) {
      DecodeOptions options;
      options.jpeg_exact_path = path;
      GrayImage image;
      Status s = Decode(bytes, options, &image);
      Check(s.ok() && image.pixels == want,
            c.file + (path == JpegExactPath::kRgb ? ": RGB path" : ": fused YCbCr path") + " equals Pillow");
    }
  }
}

void TestLuma(const std::vector<DecodeCase>& cases) {
  std::printf("luma mode vs exact (Pillow convert('L')), per fixture: max / mean absolute difference\n");
  for (const DecodeCase& c : cases) {
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    std::vector<uint8_t> exact = ReadFile(g_dir + "/" + c.exact);
    DecodeOptions options;
    options.mode = GrayMode::kLuma;
    GrayImage image;
    Status s = Decode(bytes, options, &image);
    Check(s.ok(), c.file + ": luma decode succeeds");
    if (!s.ok()) continue;
    if (c.luma.empty()) {
      // Not YCbCr or gray: luma falls back to exact.
      Check(!image.luma && image.pixels == exact, c.file + ": luma mode falls back to exact");
      continue;
    }
    std::vector<uint8_t> want = ReadFile(g_dir + "/" + c.luma);
    Check(image.luma, c.file + ": takes the luma path");
    Check(image.pixels == want, c.file + ": luma equals Pillow's draft('L', None)");
    int max_diff = 0;
    double sum = 0;
    for (size_t i = 0; i < exact.size(); i++) {
      int d = std::abs(int(image.pixels[i]) - int(exact[i]));
      max_diff = std::max(max_diff, d);
      sum += d;
    }
    if (c.file.find("/gray-") == std::string::npos) {
      std::printf("  %-44s max %2d  mean %.3f\n", c.file.c_str(), max_diff, sum / exact.size());
    } else {
      Check(max_diff == 0, c.file + ": 1-component luma is exact");
    }
  }
}

std::string Verdict(const std::vector<uint8_t>& bytes) {
  GrayImage image;
  Status s = Decode(bytes, DecodeOptions(), &image);
  if (!s.ok()) return "err";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Fnv1a64(image.pixels)));
  return hex;
}

void TestTruncationParity(const std::vector<DecodeCase>& cases) {
  int same = 0, total = 0;
  for (const DecodeCase& c : cases) {
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    for (const Cut& cut : c.cuts) {
      std::vector<uint8_t> part(bytes.begin(), bytes.begin() + cut.length);
      std::string ours = Verdict(part);
      total++;
      if (ours == cut.verdict) {
        same++;
      } else {
        Check(false,
              c.file + " cut to " + std::to_string(cut.length) + " bytes: Pillow " + cut.verdict + ", offloop " + ours);
      }
    }
  }
  Check(total > 0, "truncation cases present");
  std::printf("truncated files: %d of %d cuts give Pillow's verdict (error, or the same pixels)\n", same, total);
  offloop::testing::PassedChecks() += same;
}

// Damaged files: Pillow's verdict (error, or which pixels). The few where
// libpng cannot be made to agree are listed, not failed.
void TestCorrupt(const std::vector<CorruptCase>& cases) {
  int same = 0;
  for (const CorruptCase& c : cases) {
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    std::string ours = Verdict(bytes);
    bool known = c.file.find("plte-not-multiple-of-3") != std::string::npos;
    if (ours == c.verdict) {
      same++;
      Check(true, c.file);
    } else if (known) {
      std::printf("known difference: %s (%s): Pillow %s, offloop %s\n", c.file.c_str(), c.kind.c_str(),
                  c.verdict.c_str(), ours.c_str());
    } else {
      Check(false, c.file + " (" + c.kind + "): Pillow " + c.verdict + ", offloop " + ours);
    }
  }
  std::printf("damaged files: %d of %zu give Pillow's verdict\n", same, cases.size());
}

void TestEncode(const std::vector<EncodeCase>& cases) {
  for (const EncodeCase& c : cases) {
    std::vector<uint8_t> source = ReadFile(g_dir + "/" + c.source);
    std::vector<uint8_t> pillow_file = ReadFile(g_dir + "/" + c.file);
    std::vector<uint8_t> pillow_back = ReadFile(g_dir + "/" + c.decoded);
    OutputBuffer out;
    Status s;
    if (c.format == "jpeg") {
      JpegEncodeOptions options;
      options.quality = c.quality;
      s = EncodeGrayJpeg(source.data(), c.width, c.height, c.width, options, &out);
    } else {
      PngEncodeOptions options;
      options.compression_level = c.level;
      s = EncodeGrayPng(source.data(), c.width, c.height, c.width, options, &out);
    }
    Check(s.ok(), c.file + ": encode succeeds" + (s.ok() ? "" : " (" + Describe(s) + ")"));
    if (!s.ok()) continue;
    std::vector<uint8_t> ours(out.data(), out.data() + out.size());
    GrayImage back;
    Status d = Decode(ours, DecodeOptions(), &back);
    Check(d.ok() && back.pixels == pillow_back,
          c.file + ": decoding our " + c.format + " gives what decoding Pillow's save() gives");
    HeaderInfo info;
    Check(InspectHeader(ours.data(), ours.size(), &info).ok() && info.components == 1 && info.bit_depth == 8,
          c.file + ": our output is 1-component 8-bit");
    if (c.format == "jpeg") {
      Check(ours == pillow_file, c.file + ": our JPEG bytes equal Pillow's");
    } else {
      std::printf("  %s: ours %zu bytes, Pillow's %zu bytes\n", c.file.c_str(), ours.size(), pillow_file.size());
    }
    // Band by band (7 rows at a time, from a padded source) gives the same bytes.
    size_t stride = c.width + 3;
    std::vector<uint8_t> padded(stride * c.height, 0x77);
    for (uint32_t y = 0; y < c.height; y++) std::memcpy(&padded[y * stride], &source[size_t(y) * c.width], c.width);
    OutputBuffer banded;
    Status b;
    if (c.format == "jpeg") {
      JpegGrayEncoder enc;
      JpegEncodeOptions o;
      o.quality = c.quality;
      b = enc.Start(c.width, c.height, o, &banded);
      for (uint32_t y = 0; b.ok() && y < c.height; y += 7)
        b = enc.WriteRows(&padded[y * stride], stride, std::min(7u, c.height - y));
      if (b.ok()) b = enc.Finish();
    } else {
      PngEncodeOptions o;
      o.compression_level = c.level;
      b = EncodeGrayPng(padded.data(), c.width, c.height, stride, o, &banded);
    }
    Check(b.ok() && std::vector<uint8_t>(banded.data(), banded.data() + banded.size()) == ours,
          c.file + ": encoding from a padded source gives the same bytes");
    if (c.format == "png") {
      // Cut into segments of a few rows (as the pool does for large images):
      // still one valid PNG with the same pixels, and about the same size.
      for (size_t segment_pixels : {size_t{1}, size_t{c.width} * 3, size_t{1000}}) {
        PngSegmentPlan plan = PlanPngSegments(c.width, c.height, segment_pixels);
        std::vector<PngSegment> segments(plan.count);
        Status seg = Status::Ok();
        for (uint32_t i = plan.count; seg.ok() && i-- > 0;) {  // any order
          seg = DeflatePngSegment(padded.data(), c.width, c.height, stride, plan, i, c.level, &segments[i]);
        }
        OutputBuffer joined;
        if (seg.ok()) seg = AssemblePng(c.width, c.height, c.level, segments.data(), plan.count, &joined);
        GrayImage back_joined;
        Check(seg.ok() &&
                  Decode(std::vector<uint8_t>(joined.data(), joined.data() + joined.size()), DecodeOptions(),
                         &back_joined)
                      .ok() &&
                  back_joined.pixels == source,
              c.file + ": " + std::to_string(plan.count) + " segments join into a PNG with the same pixels");
        Check(joined.size() <= ours.size() + 128 * plan.count,
              c.file + ": " + std::to_string(plan.count) + " segments cost at most a block header and a chunk each");
      }
    }
  }
  // PNG at every level decodes back losslessly; JPEG quality bounds.
  std::vector<uint8_t> src = ReadFile(g_dir + "/" + cases[0].source);
  for (int level = 0; level <= 9; level++) {
    OutputBuffer out;
    PngEncodeOptions o;
    o.compression_level = level;
    Status s = EncodeGrayPng(src.data(), cases[0].width, cases[0].height, cases[0].width, o, &out);
    GrayImage back;
    Check(s.ok() && Decode(std::vector<uint8_t>(out.data(), out.data() + out.size()), DecodeOptions(), &back).ok() &&
              back.pixels == src,
          "PNG level " + std::to_string(level) + " is lossless");
  }
  for (int q : {0, 1, 100}) {
    OutputBuffer out;
    JpegEncodeOptions o;
    o.quality = q;
    Check(EncodeGrayJpeg(src.data(), cases[0].width, cases[0].height, cases[0].width, o, &out).ok(),
          "JPEG quality " + std::to_string(q) + " encodes");
  }
  {
    OutputBuffer out;
    JpegEncodeOptions o;
    o.quality = 101;
    Check(EncodeGrayJpeg(src.data(), 4, 4, 4, o, &out).code == ErrorCode::kInvalidArgument, "JPEG quality 101 refused");
    PngEncodeOptions p;
    p.compression_level = 10;
    Check(EncodeGrayPng(src.data(), 4, 4, 4, p, &out).code == ErrorCode::kInvalidArgument, "PNG level 10 refused");
    Check(EncodeGrayJpeg(src.data(), 70000, 1, 70000, JpegEncodeOptions(), &out).code == ErrorCode::kTooLarge,
          "JPEG wider than 65500 refused");
    JpegGrayEncoder enc;
    Check(enc.Start(4, 4, JpegEncodeOptions(), &out).ok() && enc.Finish().code == ErrorCode::kInvalidArgument,
          "JPEG Finish before every row is refused");
  }
}

// Builds small inputs of the formats we only name (and of GIF and BMP, which we read).
void TestDetection() {
  struct Named {
    const char* name;
    std::vector<uint8_t> bytes;
  };
  auto bytes = [](const char* s, size_t n) { return std::vector<uint8_t>(s, s + n); };
  std::vector<Named> named = {
      {"heif", bytes("\0\0\0\x18"
                     "ftypheic\0\0\0\0",
                     16)},
      {"avif", bytes("\0\0\0\x18"
                     "ftypavif\0\0\0\0",
                     16)},
      {"jxl", bytes("\xff\x0a\xfa\x7f", 4)},
      {"jp2", bytes("\0\0\0\x0cjP  \r\n\x87\n", 12)},
  };
  for (const Named& n : named) {
    Check(std::strcmp(FormatName(DetectFormat(n.bytes.data(), n.bytes.size())), n.name) == 0,
          std::string("detects ") + n.name);
    GrayImage image;
    Status s = Decode(n.bytes, DecodeOptions(), &image);
    Check(s.code == ErrorCode::kUnsupported && std::strstr(s.message, n.name) != nullptr,
          std::string("decoding ") + n.name + " says unsupported: " + n.name + " (got " + Describe(s) + ")");
  }
  // GIF, BMP, WebP and TIFF are read (gif_decode, bmp_decode, webp_decode, tiff_decode): their headers
  // alone are truncated files.
  for (const Named& n : std::vector<Named>{{"webp", bytes("RIFF\x10\0\0\0WEBPVP8 ", 16)},
                                           {"tiff", bytes("II*\0\x08\0\0\0", 8)},
                                           {"tiff", bytes("MM\0*\0\0\0\x08", 8)},
                                           {"gif", bytes("GIF89a\x01\0\x01\0\0\0\0", 13)},
                                           {"bmp", bytes("BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", 14)}}) {
    Check(std::strcmp(FormatName(DetectFormat(n.bytes.data(), n.bytes.size())), n.name) == 0,
          std::string("detects ") + n.name);
    GrayImage truncated;
    Check(Decode(n.bytes, DecodeOptions(), &truncated).code == ErrorCode::kTruncated,
          std::string(n.name) + " header alone: kTruncated");
  }
  GrayImage image;
  Check(Decode({}, DecodeOptions(), &image).code == ErrorCode::kEmpty, "empty input: kEmpty");
  Check(Decode(bytes("hello world", 11), DecodeOptions(), &image).code == ErrorCode::kUnsupported,
        "unknown bytes: kUnsupported");
  Check(std::strcmp(ErrorCodeName(ErrorCode::kTooLarge), "ERR_OFFLOOP_INPUT_TOO_LARGE") == 0 &&
            std::strcmp(ErrorCodeName(ErrorCode::kUnsupported), "ERR_OFFLOOP_UNSUPPORTED_FORMAT") == 0,
        "error code names from issue 8");
  // EXIF orientation from the header (for autoOrient later): a big-endian
  // TIFF with IFD0 holding tag 0x0112 = 6, in a JPEG APP1 and a PNG eXIf.
  {
    const uint8_t tiff[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3,
                            0,   0,   0, 1,  0, 6, 0, 0, 0, 0, 0,    0,    0, 0};
    std::vector<uint8_t> jpeg = ReadFile(g_dir + "/jpeg/ycc-420-base-61x37.jpg");
    std::vector<uint8_t> app1 = {0xFF, 0xE1, 0, uint8_t(2 + 6 + sizeof tiff), 'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), tiff, tiff + sizeof tiff);
    jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
    HeaderInfo info;
    Check(InspectHeader(jpeg.data(), jpeg.size(), &info).ok() && info.orientation == 6, "JPEG EXIF orientation 6");
    GrayImage image;
    Check(Decode(jpeg, DecodeOptions(), &image).ok() && image.info.orientation == 6 &&
              image.pixels == ReadFile(g_dir + "/jpeg/ycc-420-base-61x37.gray"),
          "decoder reports the orientation and does not apply it (as convert('L'))");
    std::vector<uint8_t> png8 = ReadFile(g_dir + "/png/gray8-61x37.png");
    std::vector<uint8_t> chunk = {0, 0, 0, uint8_t(sizeof tiff), 'e', 'X', 'I', 'f'};
    chunk.insert(chunk.end(), tiff, tiff + sizeof tiff);
    uLong crc = crc32(crc32(0L, chunk.data() + 4, 4), tiff, sizeof tiff);
    for (int i = 3; i >= 0; i--) chunk.push_back(uint8_t(crc >> (8 * i)));
    png8.insert(png8.begin() + 33, chunk.begin(), chunk.end());  // after IHDR
    Check(InspectHeader(png8.data(), png8.size(), &info).ok() && info.orientation == 6, "PNG eXIf orientation 6");
    Check(Decode(png8, DecodeOptions(), &image).ok() && image.pixels == ReadFile(g_dir + "/png/gray8-61x37.gray"),
          "PNG with eXIf decodes the same pixels");
  }
  // A PNG named .jpg is a PNG: detection never looks at names (there are none here).
  std::vector<uint8_t> png = ReadFile(g_dir + "/png/gray8-61x37.png");
  Check(DetectFormat(png.data(), png.size()) == ImageFormat::kPng, "PNG detected from bytes");
}

void PutBe16(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  (*b)[at] = uint8_t(v >> 8);
  (*b)[at + 1] = uint8_t(v);
}
void PutBe32(std::vector<uint8_t>* b, size_t at, uint32_t v) {
  if (b->size() < 4 || at > b->size() - 4) std::abort();  // (also tells GCC 12 -O3 the writes fit)
  uint8_t* p = b->data() + at;
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

size_t FindSof(const std::vector<uint8_t>& b) {
  for (size_t i = 2; i + 9 < b.size(); i++) {
    if (b[i] == 0xFF && (b[i + 1] == 0xC0 || b[i + 1] == 0xC1 || b[i + 1] == 0xC2)) return i;
  }
  return 0;
}

void FixPngIhdrCrc(std::vector<uint8_t>* b) {
  uLong crc = crc32(0L, b->data() + 12, 17);
  PutBe32(b, 29, uint32_t(crc));
}

void TestLimitsAndHugeHeaders() {
  std::vector<uint8_t> jpeg = ReadFile(g_dir + "/jpeg/ycc-420-base-61x37.jpg");
  std::vector<uint8_t> prog = ReadFile(g_dir + "/jpeg/ycc-420-prog-61x37.jpg");
  std::vector<uint8_t> png = ReadFile(g_dir + "/png/gray1-61x37.png");
  GrayImage image;
  DecodeOptions small;
  small.max_pixels = 61 * 37 - 1;
  Check(Decode(jpeg, small, &image).code == ErrorCode::kTooLarge, "JPEG over max_pixels: kTooLarge");
  Check(Decode(png, small, &image).code == ErrorCode::kTooLarge, "PNG over max_pixels: kTooLarge");
  small.max_pixels = 61 * 37;
  Check(Decode(jpeg, small, &image).ok() && Decode(png, small, &image).ok(), "exactly max_pixels decodes");

  // Huge dimensions in the header, checked before anything is allocated.
  for (const std::vector<uint8_t>* src : {&jpeg, &prog}) {
    std::vector<uint8_t> big = *src;
    size_t sof = FindSof(big);
    Check(sof != 0, "found SOF");
    PutBe16(&big, sof + 5, 65500);  // height
    PutBe16(&big, sof + 7, 65500);  // width
    std::unique_ptr<GrayDecoder> d;
    Status s = OpenGrayDecoder(big.data(), big.size(), DecodeOptions(), &d);
    Check(s.code == ErrorCode::kTooLarge, "JPEG 65500x65500 over the default limit: " + Describe(s));
    // No limit: libjpeg gets to try; the data runs out long before (or a
    // progressive file's coefficient buffer cannot be allocated).
    DecodeOptions unlimited;
    unlimited.max_pixels = 0;
    s = OpenGrayDecoder(big.data(), big.size(), unlimited, &d);
    Check(s.ok() && d->width() == 65500, "JPEG 65500x65500 opens with no limit");
    // Rather than a 4 GB target, a 3000x3000 header with 61x37's data: like
    // Pillow, libjpeg reads on past the data (EOI comes early: a warning) and
    // gives an image; its pixels are checked in TestCorrupt.
    PutBe16(&big, sof + 5, 3000);
    PutBe16(&big, sof + 7, 3000);
    s = OpenGrayDecoder(big.data(), big.size(), unlimited, &d);
    std::vector<uint8_t> target(3000 * 3000);
    if (s.ok()) s = d->Start({target.data(), 3000});
    DecodeProgress p;
    while (s.ok() && !p.finished) s = d->Step(500, &p);
    Check(s.ok() && d->warnings() > 0,
          "JPEG with a 3000x3000 header and 61x37 data: an image, with warnings (" + Describe(s) + ")");
  }
  {
    std::vector<uint8_t> big = png;
    PutBe32(&big, 16, 0x7FFFFFFF);
    PutBe32(&big, 20, 0x7FFFFFFF);
    FixPngIhdrCrc(&big);
    Status s = Decode(big, DecodeOptions(), &image);
    Check(s.code == ErrorCode::kTooLarge, "PNG 2^31-1 square: kTooLarge: " + Describe(s));
    PutBe32(&big, 16, 3000);
    PutBe32(&big, 20, 3000);
    FixPngIhdrCrc(&big);
    s = Decode(big, DecodeOptions(), &image);
    Check(!s.ok(), "PNG with a 3000x3000 header and 61x37 data fails cleanly: " + Describe(s));
    big = png;
    big[29] ^= 1;  // IHDR CRC
    s = Decode(big, DecodeOptions(), &image);
    Check(s.code == ErrorCode::kCorrupt, "PNG IHDR with a bad CRC: kCorrupt (as Pillow)");
  }
  // Progressive scan limit, and cancellation.
  {
    DecodeOptions options;
    options.max_jpeg_scans = 2;
    Status s = Decode(prog, options, &image);
    Check(s.code == ErrorCode::kTooLarge, "progressive JPEG over max_jpeg_scans: " + Describe(s));
    std::atomic<bool> cancel{false};
    options = DecodeOptions();
    options.cancel = &cancel;
    // A PNG big enough to need several 16 KB slices.
    std::vector<uint8_t> noise(600 * 400);
    std::mt19937 rng(3);
    for (uint8_t& v : noise) v = uint8_t(rng());
    OutputBuffer big_png;
    PngEncodeOptions level0;
    level0.compression_level = 0;
    Check(EncodeGrayPng(noise.data(), 600, 400, 600, level0, &big_png).ok(), "noise PNG");
    std::vector<uint8_t> png_big(big_png.data(), big_png.data() + big_png.size());
    for (const std::vector<uint8_t>* src : {&jpeg, &png_big}) {
      std::unique_ptr<GrayDecoder> d;
      Check(OpenGrayDecoder(src->data(), src->size(), options, &d).ok(), "open for cancel");
      std::vector<uint8_t> target(size_t(d->width()) * d->height());
      DecodeProgress p;
      Check(d->Start({target.data(), d->width()}).ok() && d->Step(8, &p).ok() && !p.finished, "first band");
      cancel = true;
      Check(d->Step(8, &p).code == ErrorCode::kCancelled, "cancelled between bands");
      Check(d->Step(8, &p).code == ErrorCode::kCancelled, "stays failed");
      cancel = false;
    }
    // A PNG inflated whole: a cancellation already set when Start comes is
    // seen before the one libdeflate call, not after it.
    {
      cancel = true;
      std::unique_ptr<GrayDecoder> d;
      Check(OpenGrayDecoder(png_big.data(), png_big.size(), options, &d).ok(), "open for cancel before inflating");
      std::vector<uint8_t> target(size_t(d->width()) * d->height());
      const uint64_t wholes = PngWholeInflates();
      Check(d->Start({target.data(), d->width()}).code == (PngInflatesWhole() ? ErrorCode::kCancelled : ErrorCode::kOk),
            "PNG: cancelled before the whole inflate");
      Check(PngWholeInflates() == wholes, "PNG: nothing inflated once cancelled");
      cancel = false;
    }
    cancel = true;
    Check(Decode(prog, options, &image).code == ErrorCode::kCancelled,
          "cancel seen inside libjpeg while it reads progressive scans");
  }
}

// ---- the luma copy (jpeg_luma_copy.h)

// With `storage`, the luma coefficients go to a caller's buffer full of
// garbage (the copy must zero what it uses).
Status CopyLuma(const std::vector<uint8_t>& bytes, std::vector<uint8_t>* out, const std::atomic<bool>* cancel = nullptr,
                uint64_t max_pixels = 268402689, bool storage = false) {
  JpegLumaCopy copy;
  LumaCopyOptions options;
  options.cancel = cancel;
  options.max_pixels = max_pixels;
  OutputBuffer encoded;
  Status s = copy.Open(bytes.data(), bytes.size(), options);
  std::vector<uint8_t> coefficients;
  if (s.ok() && storage) coefficients.assign(copy.coefficient_bytes(), 0xA5);
  if (s.ok()) s = copy.Read(coefficients.data(), coefficients.size());
  if (s.ok()) s = copy.Write(&encoded);
  if (s.ok()) out->assign(encoded.data(), encoded.data() + encoded.size());
  return s;
}

// A copy either fails or decodes to exactly the luma decode of its input;
// where luma decodes a YCbCr or gray JPEG to the end of its data, the copy
// succeeds. Returns "copied", "refused" or a failure description.
std::string CompareCopyWithLuma(const std::vector<uint8_t>& bytes, bool must_copy, bool storage) {
  DecodeOptions luma_options;
  luma_options.mode = GrayMode::kLuma;
  GrayImage luma;
  Status ls = Decode(bytes, luma_options, &luma);
  std::vector<uint8_t> copied;
  Status cs = CopyLuma(bytes, &copied, nullptr, 268402689, storage);
  if (!cs.ok()) {
    if (cs.code == ErrorCode::kInternal || cs.message[0] == 0) return "bad status " + Describe(cs);
    if (must_copy && ls.ok() && luma.luma) return "refused: " + Describe(cs);
    if (ls.ok() && !luma.luma && cs.code != ErrorCode::kUnsupported) return "not luma, but " + Describe(cs);
    return "refused";
  }
  if (!ls.ok()) return "copied what luma refuses (" + Describe(ls) + ")";
  if (!luma.luma) return "copied an input luma does not apply to";
  HeaderInfo info;
  if (!InspectHeader(copied.data(), copied.size(), &info).ok() || info.components != 1 || info.progressive) {
    return "the copy is not a 1-component baseline JPEG";
  }
  GrayImage decoded;
  Status ds = Decode(copied, DecodeOptions(), &decoded);
  if (!ds.ok()) return "the copy does not decode: " + Describe(ds);
  if (decoded.width != luma.width || decoded.height != luma.height || decoded.pixels != luma.pixels) {
    return "the copy's pixels differ from luma's";
  }
  return "copied";
}

void TestLumaCopy(const std::vector<DecodeCase>& cases, const std::vector<CorruptCase>& corrupt) {
  int copied = 0, refused = 0, cuts = 0;
  for (const DecodeCase& c : cases) {
    if (c.file.rfind("jpeg/", 0) != 0 && c.file.find(".jpg") == std::string::npos) continue;
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    const std::string whole = CompareCopyWithLuma(bytes, true, false);
    Check(CompareCopyWithLuma(bytes, true, true) == whole, c.file + ": the same copy in the caller's storage");
    if (c.luma.empty()) {
      Check(whole == "refused", c.file + " (" + c.kind + "): no luma to copy, refused: " + whole);
      refused++;
    } else {
      Check(whole == "copied", c.file + " (" + c.kind + "): the copy decodes to luma's pixels: " + whole);
      copied++;
    }
    // Every cut: an error, or luma's pixels of the same bytes.
    for (size_t n = 0; n < bytes.size(); n += (n < 1024 ? 1 : 5)) {
      const std::string verdict =
          CompareCopyWithLuma(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), false, n % 2 == 1);
      cuts++;
      if (verdict != "copied" && verdict != "refused") {
        Check(false, c.file + " cut to " + std::to_string(n) + " bytes: " + verdict);
      }
    }
  }
  // Flipped bytes (damaged entropy data, tables, headers): an error, or
  // luma's pixels. This is what checks the reuse of the input's Huffman
  // table: a symbol missing from it would give a broken copy.
  std::mt19937 rng(18);
  int flips = 0, flipped_copies = 0;
  for (const DecodeCase& c : cases) {
    if (c.file.rfind("jpeg/", 0) != 0 || c.luma.empty()) continue;
    const std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    for (int i = 0; i < 60; i++) {
      std::vector<uint8_t> m = bytes;
      for (int f = 0, n = 1 + int(rng() % 3); f < n; f++) m[rng() % m.size()] ^= uint8_t(1 + rng() % 255);
      const std::string verdict = CompareCopyWithLuma(m, false, i % 2 == 0);
      flips++;
      if (verdict == "copied") flipped_copies++;
      if (verdict != "copied" && verdict != "refused")
        Check(false, c.file + " flip case " + std::to_string(i) + ": " + verdict);
    }
  }
  std::printf("luma copy: %d damaged copies (%d copied) decode to luma's pixels or fail\n", flips, flipped_copies);
  for (const CorruptCase& c : corrupt) {
    if (c.file.find(".jpg") == std::string::npos) continue;
    const std::string verdict = CompareCopyWithLuma(ReadFile(g_dir + "/" + c.file), false, true);
    Check(verdict == "copied" || verdict == "refused", c.file + " (" + c.kind + "): " + verdict);
  }
  Check(copied >= 20 && refused >= 3, "the fixtures have YCbCr, gray, CMYK, YCCK and RGB JPEGs");
  std::printf("luma copy: %d JPEG fixtures copied bit-exact with luma, %d refused (no luma), %d cuts checked\n", copied,
              refused, cuts);

  // A luma sampled below the chroma (Y 1x1, Cb and Cr 2x2: legal, rare) has
  // fewer blocks than a gray image of its size: refused (jpegtran refuses it
  // too), never read past.
  {
    jpeg_compress_struct ci;
    jpeg_error_mgr err;
    ci.err = jpeg_std_error(&err);
    jpeg_create_compress(&ci);
    unsigned char* mem = nullptr;
    unsigned long mem_size = 0;
    jpeg_mem_dest(&ci, &mem, &mem_size);
    ci.image_width = 45;
    ci.image_height = 29;
    ci.input_components = 3;
    ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    ci.comp_info[0].h_samp_factor = ci.comp_info[0].v_samp_factor = 1;
    ci.comp_info[1].h_samp_factor = ci.comp_info[1].v_samp_factor = 2;
    jpeg_start_compress(&ci, TRUE);
    std::vector<uint8_t> row(45 * 3);
    while (ci.next_scanline < ci.image_height) {
      for (size_t i = 0; i < row.size(); i++) row[i] = uint8_t(i * 7 + ci.next_scanline * 13);
      JSAMPROW r = row.data();
      jpeg_write_scanlines(&ci, &r, 1);
    }
    jpeg_finish_compress(&ci);
    std::vector<uint8_t> odd(mem, mem + mem_size);
    jpeg_destroy_compress(&ci);
    std::free(mem);
    std::vector<uint8_t> out;
    Check(CopyLuma(odd, &out).code == ErrorCode::kUnsupported, "luma copy: a subsampled luma is refused");
    Check(CompareCopyWithLuma(odd, false, true) == "refused", "luma copy: ... and luma still decodes it");
  }

  // Cancel: seen inside libjpeg (its progress monitor, per MCU row).
  std::vector<uint8_t> bytes = ReadFile(g_dir + "/jpeg/ycc-420-base-61x37.jpg");
  std::atomic<bool> cancel{true};
  std::vector<uint8_t> out;
  Check(CopyLuma(bytes, &out, &cancel).code == ErrorCode::kCancelled, "luma copy: cancelled");
  // Misuse is an error, not a crash.
  JpegLumaCopy copy;
  OutputBuffer encoded;
  Check(copy.Read().code == ErrorCode::kInvalidArgument && copy.Write(&encoded).code == ErrorCode::kInvalidArgument,
        "luma copy: Read/Write before Open are refused");
  Check(copy.Open(nullptr, 0, LumaCopyOptions()).code == ErrorCode::kInvalidArgument, "luma copy: no input");
  std::vector<uint8_t> png = ReadFile(g_dir + "/png/gray1-61x37.png");
  JpegLumaCopy not_jpeg;
  Check(!png.empty() && not_jpeg.Open(png.data(), png.size(), LumaCopyOptions()).code == ErrorCode::kUnsupported,
        "luma copy: a PNG is refused");
  LumaCopyOptions small;
  small.max_pixels = 100;
  JpegLumaCopy limited;
  Check(limited.Open(bytes.data(), bytes.size(), small).code == ErrorCode::kTooLarge, "luma copy: pixel limit");
}

// ---- robustness: never crash. Runs in a child; a shared page says which
// case it was on if it dies.

struct FuzzState {
  char current[160];
  int cases;
  int errors;
  int images;
};

void Robustness(const std::vector<DecodeCase>& cases, FuzzState* state) {
  std::mt19937 rng(8);
  auto run = [&](const std::vector<uint8_t>& bytes, GrayMode mode) {
    DecodeOptions options;
    options.mode = mode;
    options.max_pixels = 1 << 22;  // a flipped size byte must not make us allocate gigabytes
    GrayImage image;
    Status s = Decode(bytes, options, &image);
    state->cases++;
    if (s.ok()) {
      state->images++;
      if (image.pixels.size() != size_t(image.width) * image.height) std::abort();
    } else {
      state->errors++;
      if (s.code == ErrorCode::kOk || s.code == ErrorCode::kInternal || s.message[0] == 0) {
        std::snprintf(state->current + 100, 60, " bad status %d", int(s.code));
        std::abort();
      }
    }
    if (bytes.size() > 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) {
      std::vector<uint8_t> copied;
      Status cs = CopyLuma(bytes, &copied, nullptr, 1 << 22, bytes.size() % 2 == 0);
      if (!cs.ok() && (cs.code == ErrorCode::kInternal || cs.message[0] == 0)) {
        std::snprintf(state->current + 100, 60, " luma copy: bad status %d", int(cs.code));
        std::abort();
      }
    }
  };
  for (const DecodeCase& c : cases) {
    std::vector<uint8_t> bytes = ReadFile(g_dir + "/" + c.file);
    // Every truncation up to 2 KB, then every 7th byte.
    for (size_t n = 0; n < bytes.size(); n += (n < 2048 ? 1 : 7)) {
      std::snprintf(state->current, sizeof state->current, "%s cut to %zu", c.file.c_str(), n);
      run(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), n % 2 ? GrayMode::kLuma : GrayMode::kExact);
    }
    // Random byte flips: 1 to 4 bytes, anywhere; some in the first 64 (headers).
    for (int i = 0; i < 120; i++) {
      std::vector<uint8_t> m = bytes;
      int flips = 1 + int(rng() % 4);
      for (int f = 0; f < flips; f++) {
        size_t at = (i % 3 == 0) ? rng() % std::min<size_t>(64, m.size()) : rng() % m.size();
        m[at] ^= uint8_t(1 + rng() % 255);
      }
      std::snprintf(state->current, sizeof state->current, "%s flip case %d", c.file.c_str(), i);
      run(m, i % 2 ? GrayMode::kLuma : GrayMode::kExact);
    }
  }
}

void TestRobustness(const std::vector<DecodeCase>& cases) {
  void* shared = mmap(nullptr, sizeof(FuzzState), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  FuzzState* state = static_cast<FuzzState*>(shared);
  std::memset(state, 0, sizeof *state);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    Robustness(cases, state);
#if defined(__SANITIZE_ADDRESS__)
    std::snprintf(state->current, sizeof state->current, "the leak check after all cases");
    __lsan_do_leak_check();  // _exit skips LeakSanitizer's own check at exit
#endif
    _exit(0);
  }
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  bool clean = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
  Check(clean, std::string("robustness child died during: ") + state->current);
  std::printf("robustness: %d truncated/flipped inputs, %d errors, %d images, child %s\n", state->cases, state->errors,
              state->images, clean ? "exited cleanly" : "CRASHED");
  munmap(shared, sizeof(FuzzState));
}

// A PNG rebuilt from `png`'s chunks with its zlib stream `stream` cut into
// IDATs of `piece` bytes (an empty IDAT first), every IDAT CRC wrong when
// `bad_crcs` (Pillow never checks them).
std::vector<uint8_t> RechunkPng(const std::vector<uint8_t>& png, const std::vector<uint8_t>& stream, size_t piece,
                                bool bad_crcs) {
  std::vector<uint8_t> out(png.begin(), png.begin() + 8);
  auto chunk = [&](const char* type, const uint8_t* data, size_t n, bool bad) {
    size_t at = out.size();
    out.resize(at + 12 + n);
    PutBe32(&out, at, uint32_t(n));
    std::memcpy(&out[at + 4], type, 4);
    if (n > 0) std::memcpy(&out[at + 8], data, n);
    PutBe32(&out, at + 8 + n, uint32_t(crc32(0L, &out[at + 4], uInt(n + 4))) ^ (bad ? 1u : 0u));
  };
  bool wrote_idat = false;
  for (size_t pos = 8; pos + 12 <= png.size();) {
    uint32_t n =
        (uint32_t(png[pos]) << 24) | (uint32_t(png[pos + 1]) << 16) | (uint32_t(png[pos + 2]) << 8) | png[pos + 3];
    std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    if (type == "IDAT") {
      if (!wrote_idat) {
        chunk("IDAT", nullptr, 0, bad_crcs);
        for (size_t at = 0; at < stream.size(); at += piece) {
          chunk("IDAT", stream.data() + at, std::min(piece, stream.size() - at), bad_crcs);
        }
        wrote_idat = true;
      }
    } else {
      chunk(type.c_str(), &png[pos + 8], n, false);
    }
    pos += 12 + size_t(n);
  }
  return out;
}

std::vector<uint8_t> IdatStream(const std::vector<uint8_t>& png) {
  std::vector<uint8_t> stream;
  for (size_t pos = 8; pos + 12 <= png.size();) {
    uint32_t n =
        (uint32_t(png[pos]) << 24) | (uint32_t(png[pos + 1]) << 16) | (uint32_t(png[pos + 2]) << 8) | png[pos + 3];
    if (std::memcmp(&png[pos + 4], "IDAT", 4) == 0) stream.insert(stream.end(), &png[pos + 8], &png[pos + 8 + n]);
    pos += 12 + size_t(n);
  }
  return stream;
}

// The same image data laid out otherwise must decode to the same pixels,
// whichever path inflates it (libdeflate's whole stream, or libpng's): IDATs
// of any size, empty ones, wrong IDAT CRCs, a stream with a 512-byte window
// (zlib enforces it; libdeflate does not), bytes after the stream's end.
void TestPngIdatLayouts(const std::vector<DecodeCase>& cases) {
  int files = 0;
  for (const DecodeCase& c : cases) {
    if (c.file.rfind("png/", 0) != 0) continue;
    std::vector<uint8_t> png = ReadFile(g_dir + "/" + c.file);
    std::vector<uint8_t> want = ReadFile(g_dir + "/" + c.exact);
    std::vector<uint8_t> stream = IdatStream(png);
    // The raw rows, deflated again with a 512-byte window, and with junk after the end.
    std::vector<uint8_t> raw(size_t(c.width) * c.height * 8 + c.height * 8 + 64);
    z_stream z{};
    inflateInit(&z);
    z.next_in = stream.data(), z.avail_in = uInt(stream.size());
    z.next_out = raw.data(), z.avail_out = uInt(raw.size());
    bool inflated = inflate(&z, Z_FINISH) == Z_STREAM_END;
    raw.resize(z.total_out);
    inflateEnd(&z);
    std::vector<uint8_t> small_window(raw.size() + 1024);
    z_stream d{};
    deflateInit2(&d, 9, Z_DEFLATED, 9, 8, Z_DEFAULT_STRATEGY);
    d.next_in = raw.data(), d.avail_in = uInt(raw.size());
    d.next_out = small_window.data(), d.avail_out = uInt(small_window.size());
    bool deflated = deflate(&d, Z_FINISH) == Z_STREAM_END;
    small_window.resize(d.total_out);
    deflateEnd(&d);
    Check(inflated && deflated && (small_window[0] >> 4) == 1, c.file + ": its rows deflate with a 512-byte window");
    std::vector<uint8_t> trailing = stream;
    trailing.insert(trailing.end(), {0x00, 0xFF, 0x13, 0x37});
    struct Layout {
      const char* name;
      const std::vector<uint8_t>* stream;
      size_t piece;
      bool bad_crcs;
    } layouts[] = {{"1-byte IDATs", &stream, 1, false},
                   {"5-byte IDATs, bad CRCs", &stream, 5, true},
                   {"4 KiB IDATs", &stream, 4096, false},
                   {"one IDAT, bad CRC", &stream, 1 << 30, true},
                   {"a 512-byte window", &small_window, 7, false},
                   {"bytes after the stream", &trailing, 1 << 30, false}};
    for (const Layout& layout : layouts) {
      std::vector<uint8_t> file = RechunkPng(png, *layout.stream, layout.piece, layout.bad_crcs);
      GrayImage image;
      const uint64_t wholes = PngWholeInflates();
      Status s = Decode(file, DecodeOptions(), &image);
      Check(s.ok() && image.pixels == want,
            c.file + " with " + layout.name + ": Pillow's pixels" + (s.ok() ? "" : " (" + Describe(s) + ")"));
      // libpng would give the same pixels: check which path ran.
      const bool whole_expected = PngInflatesWhole() && layout.stream != &small_window;
      Check((PngWholeInflates() == wholes + 1) == whole_expected,
            c.file + " with " + layout.name + (whole_expected ? ": inflated whole" : ": inflated by libpng"));
    }
    files++;
  }
  Check(files >= 20, "PNG layouts: the PNG fixtures are there");
  std::printf("PNG layouts: %d PNG fixtures decode the same with their IDATs laid out 6 other ways\n", files);
}

// DecodeOptions' hooks on PNGs: every 8-bit RGB and RGBA fixture that is
// not interlaced converts its rows through rgb_to_l (3 or 4 bytes a pixel),
// and a file inflated whole takes its raw rows from `scratch` once and
// lets them go by the end of the decode; the pixels stay Pillow's.
int g_rgb_rows = 0;
size_t g_rgb_steps = 0;  // bit 3 or 4: the steps seen
int g_scratch_taken = 0;
std::weak_ptr<void> g_scratch_owner;

void CountingRgbToL(const uint8_t* src, size_t step, size_t pixels, uint8_t* dst) {
  g_rgb_rows++;
  g_rgb_steps |= size_t{1} << step;
  RgbRowToL(src, step, pixels, dst);
}

uint8_t* CountingScratch(size_t bytes, std::shared_ptr<void>* owner) {
  g_scratch_taken++;
  uint8_t* data = HeapScratch(bytes, owner);
  g_scratch_owner = *owner;
  return data;
}

// The PNG encoder's scratch: with libdeflate, a file of several segments
// takes its joined rows and its deflated stream from `scratch` (one segment:
// the stream only), lets both go by the end, and writes the same bytes as
// with new[]; zlib takes none.
std::vector<uint8_t> SyntheticRgb(uint32_t w, uint32_t h);

void TestPngEncodeScratch() {
  const bool libdeflate = std::strcmp(DeflateLibraryName(), "libdeflate") == 0;
  for (uint32_t height : {3u, 700u}) {  // 1 and 2 segments of 1 MiB at this width
    const uint32_t width = 1999;
    const PngSegmentPlan plan = PlanPngSegments(width, height);
    std::vector<uint8_t> gray = SyntheticRgb(width, height);
    gray.resize(size_t(width) * height);
    OutputBuffer plain, scratched;
    PngEncodeOptions options;
    Status a = EncodeGrayPng(gray.data(), width, height, width, options, &plain);
    options.scratch = CountingScratch;
    g_scratch_taken = 0;
    g_scratch_owner.reset();
    Status b = EncodeGrayPng(gray.data(), width, height, width, options, &scratched);
    const std::string what = "PNG encode, " + std::to_string(plan.count) + " segment(s)";
    Check(a.ok() && b.ok() && plain.size() == scratched.size() &&
              std::memcmp(plain.data(), scratched.data(), plain.size()) == 0,
          what + ": the same bytes with the scratch");
    const int expected = !libdeflate ? 0 : plan.count > 1 ? 2 : 1;
    Check(g_scratch_taken == expected,
          what + ": scratch taken " + std::to_string(expected) + " times (" + std::to_string(g_scratch_taken) + ")");
    Check(g_scratch_owner.expired(), what + ": the scratch is let go by the end");
  }
}

#if OFFLOOP_HAVE_LIBDEFLATE
// 2048 rows of 1024 pixels (2 MiB of filtered rows: large enough for the
// level trial) from a fixed pseudo-random sequence.
template <typename Pixel>
std::vector<uint8_t> TrialImage(Pixel pixel) {
  std::vector<uint8_t> gray(size_t{1024} * 2048);
  uint32_t seed = 12345;
  for (uint32_t y = 0; y < 2048; y++) {
    for (uint32_t x = 0; x < 1024; x++) {
      seed = seed * 1103515245u + 12345u;
      gray[size_t(y) * 1024 + x] = uint8_t(pixel(x, y, seed >> 16));
    }
  }
  return gray;
}

// The libdeflate level whose stream a PNG's IDAT data is (0: none of those
// tried): inflated back to its filtered rows and deflated again at each.
int DeflatedAtLevel(const OutputBuffer& png, size_t filtered_bytes, std::initializer_list<int> levels) {
  std::vector<uint8_t> stream;
  for (size_t at = 8; at + 12 <= png.size();) {
    const uint8_t* p = png.data() + at;
    const size_t length = (size_t(p[0]) << 24) | (size_t(p[1]) << 16) | (size_t(p[2]) << 8) | p[3];
    if (std::memcmp(p + 4, "IDAT", 4) == 0) stream.insert(stream.end(), p + 8, p + 8 + length);
    at += 12 + length;
  }
  std::vector<uint8_t> filtered(filtered_bytes);
  libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
  const bool inflated = libdeflate_zlib_decompress(inflater, stream.data(), stream.size(), filtered.data(),
                                                   filtered.size(), nullptr) == LIBDEFLATE_SUCCESS;
  libdeflate_free_decompressor(inflater);
  if (!inflated) return 0;
  for (int level : levels) {
    libdeflate_compressor* deflater = libdeflate_alloc_compressor(level);
    std::vector<uint8_t> again(libdeflate_zlib_compress_bound(deflater, filtered.size()));
    again.resize(libdeflate_zlib_compress(deflater, filtered.data(), filtered.size(), again.data(), again.size()));
    libdeflate_free_compressor(deflater);
    if (again == stream) return level;
  }
  return 0;
}

// At zlib level 6 the encoder deflates at libdeflate's 6 when trial slices
// show it within 3% of 7 (noisy rows), else at 7 (smooth rows, where 6
// writes 20% more here); other levels keep n + 1.
void TestPngLevelTrial() {
  const size_t filtered = size_t{1025} * 2048;
  const std::vector<uint8_t> noisy =
      TrialImage([](uint32_t x, uint32_t y, uint32_t r) { return ((x + y) >> 3) + (r & 3); });
  const std::vector<uint8_t> smooth =
      TrialImage([](uint32_t x, uint32_t y, uint32_t r) { return ((x * x + y * y) >> 8) + ((r & 255) == 0 ? 1 : 0); });
  struct Case {
    const char* what;
    const std::vector<uint8_t>* gray;
    int zlib_level;
    int libdeflate_level;
  };
  for (const Case& c : {Case{"noisy rows, level 6", &noisy, 6, 6}, Case{"smooth rows, level 6", &smooth, 6, 7},
                        Case{"noisy rows, level 5", &noisy, 5, 6}}) {
    OutputBuffer png;
    PngEncodeOptions options;
    options.compression_level = c.zlib_level;
    Status s = EncodeGrayPng(c.gray->data(), 1024, 2048, 1024, options, &png);
    const int level = s.ok() ? DeflatedAtLevel(png, filtered, {5, 6, 7}) : -1;
    Check(level == c.libdeflate_level, std::string(c.what) + ": deflated at libdeflate's " +
                                           std::to_string(c.libdeflate_level) + " (" + std::to_string(level) + ")");
  }
}
#endif

void TestPngDecodeHooks(const std::vector<DecodeCase>& cases) {
  int hooked = 0, scratched = 0;
  for (const DecodeCase& c : cases) {
    if (c.file.rfind("png/", 0) != 0) continue;
    std::vector<uint8_t> png = ReadFile(g_dir + "/" + c.file);
    std::vector<uint8_t> want = ReadFile(g_dir + "/" + c.exact);
    DecodeOptions options;
    options.rgb_to_l = CountingRgbToL;
    options.scratch = CountingScratch;
    g_rgb_rows = 0, g_rgb_steps = 0, g_scratch_taken = 0;
    g_scratch_owner.reset();
    const uint64_t wholes = PngWholeInflates();
    GrayImage image;
    Status s = Decode(png, options, &image);
    Check(s.ok() && image.pixels == want,
          c.file + " through the hooks: Pillow's pixels" + (s.ok() ? "" : " (" + Describe(s) + ")"));
    const bool rgb8 = (c.kind.find("png rgb 8-bit") == 0 || c.kind.find("png rgba 8-bit") == 0 ||
                       c.kind == "png rgba written by Pillow");
    Check(rgb8 == (g_rgb_rows == int(c.height)),
          c.file + (rgb8 ? ": every row through rgb_to_l" : ": no row through rgb_to_l") + " (" +
              std::to_string(g_rgb_rows) + " of " + std::to_string(c.height) + ")");
    if (rgb8) {
      hooked++;
      const size_t step = c.kind.find("rgba") != std::string::npos ? 4 : 3;
      Check(g_rgb_steps == (size_t{1} << step), c.file + ": rgb_to_l saw " + std::to_string(step) + "-byte pixels");
    }
    const bool whole = PngWholeInflates() == wholes + 1;
    Check(g_scratch_taken == (whole ? 1 : 0), c.file + ": scratch taken once when inflated whole, else never");
    Check(g_scratch_owner.expired(), c.file + ": the scratch is let go by the end of the decode");
    if (whole) scratched++;
  }
  Check(hooked >= 4, "PNG hooks: the 8-bit RGB(A) fixtures are there");
  Check(scratched > 0 || !PngInflatesWhole(), "PNG hooks: some fixtures inflated whole into the scratch");
  std::printf("PNG hooks: %d fixtures through rgb_to_l, %d inflated into the scratch\n", hooked, scratched);
}

// The vector row filter (SSE2 on x86-64) against the scalar reference: the
// same type byte and filtered bytes for every width around the 16-byte steps,
// on random rows and on the extremes (0, 255, 128 and alternations, where
// the costs min(v, 256 - v) and Paeth's ties sit).
void TestPngFilterPaths() {
  std::mt19937 rng(18);
  int compared = 0, mismatched = 0;
  std::vector<uint32_t> widths;
  for (uint32_t w = 0; w <= 70; w++) widths.push_back(w);
  for (uint32_t w : {127u, 128u, 129u, 1000u, 4097u}) widths.push_back(w);
  for (uint32_t width : widths) {
    std::vector<uint8_t> scratch(4 * size_t{width} + 1), fast(width + 1), reference(width + 1);
    for (int pattern = 0; pattern < 12; pattern++) {
      std::vector<uint8_t> row(width), prior(width);
      for (uint32_t x = 0; x < width; x++) {
        uint32_t r = rng();
        switch (pattern % 6) {
          case 0:
            row[x] = uint8_t(r), prior[x] = uint8_t(r >> 8);
            break;
          case 1:
            row[x] = uint8_t(r & 1 ? 255 : 0), prior[x] = uint8_t(r & 2 ? 255 : 0);
            break;
          case 2:
            row[x] = uint8_t(128 + (r & 1)), prior[x] = uint8_t(127 + (r & 3));
            break;
          case 3:
            row[x] = uint8_t(x * 7), prior[x] = uint8_t(x * 7 + (r & 15));
            break;  // smooth: Sub/Up/Paeth win
          case 4:
            row[x] = uint8_t(r % 3 == 0 ? 0 : 255), prior[x] = uint8_t(x & 1 ? 128 : 127);
            break;
          default:
            row[x] = prior[x] = uint8_t(r % 5 == 0 ? r >> 16 : 200);
            break;
        }
      }
      FilterGrayRow(row.data(), prior.data(), width, scratch.data(), fast.data());
      FilterGrayRowScalar(row.data(), prior.data(), width, scratch.data(), reference.data());
      compared++;
      if (fast != reference) mismatched++;
    }
  }
  Check(mismatched == 0, "PNG row filter: " + std::to_string(mismatched) + " of " + std::to_string(compared) +
                             " rows differ between the vector and scalar paths");
}

// The vector unfilter (SSE2 on x86-64, NEON on arm64) against the scalar
// reference: every filter type (and one past them, which must leave the row
// alone), every pixel size PNG has, rows of 0-70, 127-129, 1000 and 4097
// pixels, random and edge bytes (0, 255, alternations, runs where Paeth's
// distances tie); then Paeth's bounds on every (a, b, c): in 4-byte pixels,
// pixel 2m + 1 sees a = pixel 2m (set through the scalar predictor), b and c
// from the row above, so 2^22 pixel pairs cover all 2^24 triples.
void TestPngUnfilterPaths() {
  std::mt19937 rng(19);
  int compared = 0, mismatched = 0;
  std::vector<size_t> widths;
  for (size_t w = 0; w <= 70; w++) widths.push_back(w);
  for (size_t w : {127u, 128u, 129u, 1000u, 4097u}) widths.push_back(w);
  for (size_t bpp : {1u, 2u, 3u, 4u, 6u, 8u}) {
    for (size_t width : widths) {
      const size_t n = width * bpp;
      for (uint8_t type = 0; type <= 5; type++) {
        for (int pattern = 0; pattern < 6; pattern++) {
          std::vector<uint8_t> row(n + 16), prior(n + 16);
          for (size_t i = 0; i < n + 16; i++) {
            const uint32_t r = rng();
            switch (pattern) {
              case 0:
                row[i] = uint8_t(r), prior[i] = uint8_t(r >> 8);
                break;
              case 1:
                row[i] = uint8_t(r & 1 ? 255 : 0), prior[i] = uint8_t(r & 2 ? 255 : 0);
                break;
              case 2:
                row[i] = uint8_t(r & 3), prior[i] = uint8_t(127 + (r >> 8 & 3));
                break;
              case 3:
                row[i] = 0, prior[i] = uint8_t(i * 5);
                break;
              case 4:
                row[i] = uint8_t(i & 1 ? 255 : 1), prior[i] = uint8_t(i % 3 == 0 ? 0 : 255);
                break;
              default:
                row[i] = uint8_t(r % 7 == 0 ? r >> 16 : 128), prior[i] = uint8_t(r % 5 == 0 ? r >> 24 : 128);
                break;
            }
          }
          // Bytes past the row (the 16 after n) must come out untouched.
          std::vector<uint8_t> fast = row, reference = row;
          UnfilterRow(type, fast.data(), prior.data(), n, bpp);
          UnfilterRowScalar(type, reference.data(), prior.data(), n, bpp);
          compared++;
          if (fast != reference || !std::equal(row.begin() + n, row.end(), fast.begin() + n)) mismatched++;
        }
      }
    }
  }
  // Every Paeth triple: pixel pair m of a row, lane j, takes triple
  // (first + 4m + j): c and b above its two pixels, a as its left pixel,
  // whose filtered byte is set through the scalar predictor.
  constexpr size_t kPairs = 2048;
  std::vector<uint8_t> prior(kPairs * 8), row(kPairs * 8), reference(kPairs * 8);
  int paeth_rows = 0, paeth_mismatched = 0;
  for (uint32_t first = 0; first < (1u << 24); first += kPairs * 4) {
    for (size_t pair = 0; pair < kPairs; pair++) {
      for (size_t lane = 0; lane < 4; lane++) {
        const uint32_t t = first + uint32_t(pair * 4 + lane);
        const int want_a = int(t >> 16), b = uint8_t(t >> 8), c = uint8_t(t);
        const size_t left = pair * 8 + lane, right = left + 4;
        prior[left] = uint8_t(c);
        prior[right] = uint8_t(b);
        const int a_before = pair == 0 ? 0 : reference[left - 4];
        const int c_before = pair == 0 ? 0 : prior[left - 4];
        row[left] = uint8_t(want_a - PaethPredictor(a_before, c, c_before));
        row[right] = uint8_t(rng());
        reference[left] = uint8_t(want_a);
        reference[right] = uint8_t(row[right] + PaethPredictor(want_a, b, c));
      }
    }
    std::vector<uint8_t> fast = row;
    UnfilterRow(4, fast.data(), prior.data(), fast.size(), 4);
    paeth_rows++;
    if (fast != reference) paeth_mismatched++;
  }
  Check(mismatched == 0, "PNG unfilter: " + std::to_string(mismatched) + " of " + std::to_string(compared) +
                             " rows differ between the vector and scalar paths");
  Check(paeth_mismatched == 0, "PNG unfilter: Paeth on every (a, b, c): " + std::to_string(paeth_mismatched) + " of " +
                                   std::to_string(paeth_rows) + " rows differ from the scalar predictor");
}

// ---- timings (--bench)

double Seconds(const std::function<void()>& f, int repeat) {
  double best = 1e9;
  for (int r = 0; r < repeat; r++) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

std::vector<uint8_t> SyntheticRgb(uint32_t w, uint32_t h) {
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  std::mt19937 rng(1);
  for (uint32_t y = 0; y < h; y++) {
    for (uint32_t x = 0; x < w; x++) {
      uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
      int n = int(rng() % 24) - 12;
      p[0] = uint8_t(std::clamp(int(128 + 100 * std::sin(x * 0.003 + y * 0.001)) + n, 0, 255));
      p[1] = uint8_t(std::clamp(int(x * 255 / w) + n, 0, 255));
      p[2] = uint8_t(std::clamp(int(y * 255 / h) + int((x / 40 + y / 40) % 2) * 60 + n, 0, 255));
    }
  }
  return rgb;
}

std::vector<uint8_t> EncodeRgbJpeg(const std::vector<uint8_t>& rgb, uint32_t w, uint32_t h, int hs, int vs,
                                   bool progressive, int restart_rows) {
  jpeg_compress_struct c;
  jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = w;
  c.image_height = h;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 90, TRUE);
  c.comp_info[0].h_samp_factor = hs;
  c.comp_info[0].v_samp_factor = vs;
  c.restart_in_rows = restart_rows;
  if (progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < h) {
    JSAMPROW row = const_cast<JSAMPROW>(&rgb[size_t(c.next_scanline) * w * 3]);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::vector<uint8_t> bytes(out, out + size);
  jpeg_destroy_compress(&c);
  std::free(out);
  return bytes;
}

void Bench() {
  const uint32_t w = 4000, h = 3000;
  const double mp = w * double(h) / 1e6;
  std::vector<uint8_t> rgb = SyntheticRgb(w, h);
  std::printf("\n== timings, %ux%u (%.0f MP), best of 3, one thread\n", w, h, mp);
  struct Variant {
    const char* name;
    int hs, vs;
    bool progressive;
  } variants[] = {{"4:2:0 baseline", 2, 2, false}, {"4:4:4 baseline", 1, 1, false}, {"4:2:0 progressive", 2, 2, true}};
  for (const Variant& v : variants) {
    std::vector<uint8_t> jpeg = EncodeRgbJpeg(rgb, w, h, v.hs, v.vs, v.progressive, 0);
    std::printf("JPEG %s q90: %zu bytes\n", v.name, jpeg.size());
    GrayImage image;
    auto run = [&](const char* label, DecodeOptions o) {
      Status s;
      double t = Seconds([&] { s = Decode(jpeg, o, &image); }, 3);
      std::printf("  %-40s %7.1f ms  %6.2f ms/MP %s\n", label, t * 1e3, t * 1e3 / mp,
                  s.ok() ? "" : Describe(s).c_str());
    };
    DecodeOptions o;
    run("exact (RGBX + scalar L, Pillow's way)", o);
    o.jpeg_exact_path = JpegExactPath::kRgb;
    run("exact (RGB + scalar L)", o);
    o.jpeg_exact_path = JpegExactPath::kFusedYcc;
    run("exact (YCbCr + fused YCbCr->RGB->L)", o);
#ifdef OFFLOOP_WITH_KERNELS
    o = DecodeOptions();
    o.rgbx_to_l = [](const uint8_t* src, size_t n, uint8_t* dst) {
      offloop::kernels::GrayLayout layout;
      layout.width = n;
      layout.stride = n * 4;
      layout.channels = 4;
      offloop::kernels::GrayscaleRows(src, layout, 1, offloop::kernels::kBt601, dst);
    };
    run("exact (RGBX + offloop SIMD bt601 kernel)", o);
#endif
    o = DecodeOptions();
    o.mode = GrayMode::kLuma;
    run("luma (Y plane only)", o);
    {
      GrayImage exact, luma;
      Decode(jpeg, DecodeOptions(), &exact);
      Decode(jpeg, o, &luma);
      int max_diff = 0;
      double sum = 0;
      for (size_t i = 0; i < exact.pixels.size(); i++) {
        int d = std::abs(int(exact.pixels[i]) - int(luma.pixels[i]));
        max_diff = std::max(max_diff, d);
        sum += d;
      }
      std::printf("  luma vs exact on this image: max %d, mean %.3f\n", max_diff, sum / exact.pixels.size());
    }
    // libjpeg alone to RGBX, whole image, for the split "decode then kernel".
    {
      std::vector<uint8_t> full(size_t(w) * h * 4);
      double t = Seconds(
          [&] {
            jpeg_decompress_struct c;
            jpeg_error_mgr e;
            c.err = jpeg_std_error(&e);
            jpeg_create_decompress(&c);
            jpeg_mem_src(&c, jpeg.data(), jpeg.size());
            jpeg_read_header(&c, TRUE);
            c.out_color_space = JCS_EXT_RGBX;
            jpeg_start_decompress(&c);
            while (c.output_scanline < c.output_height) {
              JSAMPROW row = &full[size_t(c.output_scanline) * w * 4];
              jpeg_read_scanlines(&c, &row, 1);
            }
            jpeg_finish_decompress(&c);
            jpeg_destroy_decompress(&c);
          },
          3);
      std::printf("  %-40s %7.1f ms  %6.2f ms/MP\n", "libjpeg to a full RGBX image (no L)", t * 1e3, t * 1e3 / mp);
      std::vector<uint8_t> gray(size_t(w) * h);
      t = Seconds([&] { RgbxRowToLScalar(full.data(), size_t(w) * h, gray.data()); }, 3);
      std::printf("  %-40s %7.1f ms  %6.2f ms/MP\n", "  then scalar L over the full image", t * 1e3, t * 1e3 / mp);
#ifdef OFFLOOP_WITH_KERNELS
      t = Seconds(
          [&] {
            offloop::kernels::GrayLayout layout;
            layout.width = w;
            layout.stride = size_t(w) * 4;
            layout.channels = 4;
            offloop::kernels::GrayscaleRows(full.data(), layout, h, offloop::kernels::kBt601, gray.data());
          },
          3);
      std::printf("  %-40s %7.1f ms  %6.2f ms/MP\n", "  then SIMD bt601 kernel, full image", t * 1e3, t * 1e3 / mp);
#endif
    }
  }
  // Restart intervals: what one restart segment per band would cost to decode
  // on its own is the whole-image time / bands; here just the size overhead.
  {
    std::vector<uint8_t> plain = EncodeRgbJpeg(rgb, w, h, 2, 2, false, 0);
    std::vector<uint8_t> rst = EncodeRgbJpeg(rgb, w, h, 2, 2, false, 1);
    GrayImage image;
    double t0 = Seconds([&] { Decode(plain, DecodeOptions(), &image); }, 3);
    double t1 = Seconds([&] { Decode(rst, DecodeOptions(), &image); }, 3);
    std::printf("restart every MCU row: %zu -> %zu bytes (+%.2f%%), exact decode %.1f -> %.1f ms\n", plain.size(),
                rst.size(), 100.0 * (double(rst.size()) / plain.size() - 1), t0 * 1e3, t1 * 1e3);
  }
  // Gray encoders and PNG decode on the exact gray image.
  {
    std::vector<uint8_t> jpeg = EncodeRgbJpeg(rgb, w, h, 2, 2, false, 0);
    GrayImage gray;
    Decode(jpeg, DecodeOptions(), &gray);
    for (int q : {75, 90}) {
      OutputBuffer out;
      JpegEncodeOptions o;
      o.quality = q;
      double t = Seconds(
          [&] {
            out.Clear();
            EncodeGrayJpeg(gray.pixels.data(), w, h, w, o, &out);
          },
          3);
      std::printf("encode gray JPEG q%d: %7.1f ms  %6.2f ms/MP  %zu bytes\n", q, t * 1e3, t * 1e3 / mp, out.size());
    }
    for (int level : {1, 6, 9}) {
      OutputBuffer out;
      PngEncodeOptions o;
      o.compression_level = level;
      double t = Seconds(
          [&] {
            out.Clear();
            EncodeGrayPng(gray.pixels.data(), w, h, w, o, &out);
          },
          level == 9 ? 1 : 2);
      std::vector<uint8_t> bytes(out.data(), out.data() + out.size());
      GrayImage back;
      double td = Seconds([&] { Decode(bytes, DecodeOptions(), &back); }, 2);
      std::printf("encode gray PNG level %d: %7.1f ms  %6.2f ms/MP  %zu bytes; decode %.1f ms (%.2f ms/MP)%s\n", level,
                  t * 1e3, t * 1e3 / mp, out.size(), td * 1e3, td * 1e3 / mp,
                  back.pixels == gray.pixels ? "" : " MISMATCH");
    }
    // Where PNG time goes: the filtered rows libpng chose, deflated by zlib
    // alone (and by libdeflate when built with it), and inflated back.
    OutputBuffer out;
    EncodeGrayPng(gray.pixels.data(), w, h, w, PngEncodeOptions(), &out);
    std::vector<uint8_t> idat;
    for (size_t pos = 8; pos + 12 <= out.size();) {
      const uint8_t* q = out.data() + pos;
      uint32_t n = (uint32_t(q[0]) << 24) | (uint32_t(q[1]) << 16) | (uint32_t(q[2]) << 8) | q[3];
      if (std::memcmp(q + 4, "IDAT", 4) == 0) idat.insert(idat.end(), q + 8, q + 8 + n);
      pos += 12 + size_t(n);
    }
    std::vector<uint8_t> filtered(size_t(w + 1) * h);
    uLongf flen = filtered.size();
    uncompress(filtered.data(), &flen, idat.data(), idat.size());
    std::vector<uint8_t> packed(compressBound(filtered.size()));
    std::printf("deflate of the %zu filtered bytes libpng chose:\n", filtered.size());
    for (int level : {1, 6, 9}) {
      uLongf n = packed.size();
      double t = Seconds(
          [&] {
            n = packed.size();
            compress2(packed.data(), &n, filtered.data(), filtered.size(), level);
          },
          level == 9 ? 1 : 2);
      uLongf back = filtered.size();
      std::vector<uint8_t> round(filtered.size());
      double ti = Seconds(
          [&] {
            back = round.size();
            uncompress(round.data(), &back, packed.data(), n);
          },
          2);
      std::printf("  zlib %s level %d: %7.1f ms  %lu bytes; inflate %.1f ms\n", zlibVersion(), level, t * 1e3,
                  static_cast<unsigned long>(n), ti * 1e3);
    }
    {
      // pigz's idea: independent halves (one per core) cost about half each.
      uLongf n = packed.size();
      size_t half = filtered.size() / 2;
      double t = Seconds(
          [&] {
            n = packed.size();
            compress2(packed.data(), &n, filtered.data(), half, 6);
          },
          2);
      std::printf("  zlib level 6, first half alone: %.1f ms\n", t * 1e3);
    }
#ifdef OFFLOOP_WITH_LIBDEFLATE
    for (int level : {1, 6, 9, 12}) {
      libdeflate_compressor* c = libdeflate_alloc_compressor(level);
      size_t n = 0;
      double t = Seconds(
          [&] { n = libdeflate_zlib_compress(c, filtered.data(), filtered.size(), packed.data(), packed.size()); },
          level >= 9 ? 1 : 2);
      libdeflate_free_compressor(c);
      libdeflate_decompressor* d = libdeflate_alloc_decompressor();
      std::vector<uint8_t> round(filtered.size());
      size_t got = 0;
      double ti =
          Seconds([&] { libdeflate_zlib_decompress(d, packed.data(), n, round.data(), round.size(), &got); }, 2);
      libdeflate_free_decompressor(d);
      std::printf("  libdeflate %s level %d: %7.1f ms  %zu bytes; inflate %.1f ms%s\n", LIBDEFLATE_VERSION_STRING,
                  level, t * 1e3, n, ti * 1e3, round == filtered ? "" : " MISMATCH");
    }
#endif
  }
}

}  // namespace

// The orientation readers on the edges Pillow's readers define (the
// fixtures of orient-sources/ hold the cases Pillow was run on), and on
// data cut at every byte: nothing is read out of bounds (ASan runs this).
void TestOrientationReaders() {
  // II, IFD0 at 8: Orientation LONG (offset data) and SHORT entries.
  std::vector<uint8_t> tiff = {'I',  'I',  42, 0, 8,  0, 0,  0, 2, 0, 0x12, 0x01,
                               5,    0,    1,  0, 0,  0, 38, 0, 0, 0,            // RATIONAL at 38
                               0x12, 0x01, 3,  0, 1,  0, 0,  0, 3, 0, 0,    0,   // SHORT 3 (last: wins)
                               0,    0,    0,  0, 12, 0, 0,  0, 2, 0, 0,    0};  // 12/2
  ExifOrientation o = TiffOrientation(tiff.data(), tiff.size());
  Check(o.present && o.value == 3, "TIFF: the last Orientation entry wins");
  tiff[8] = 1;  // only the rational
  o = TiffOrientation(tiff.data(), tiff.size());
  Check(o.present && o.value == 6, "TIFF: a RATIONAL 12/2 is 6");
  tiff[38] = 13;  // 13/2
  Check(TiffOrientation(tiff.data(), tiff.size()).value == 0 && TiffOrientation(tiff.data(), tiff.size()).present,
        "TIFF: 13/2 is present, no orientation");
  tiff[18] = 60;  // the rational's data out of bounds: skipped, as Pillow
  Check(!TiffOrientation(tiff.data(), tiff.size()).present, "TIFF: data out of bounds is skipped");
  for (size_t n = 0; n <= tiff.size(); n++) (void)TiffOrientation(tiff.data(), n);
  Check(XmpOrientation(reinterpret_cast<const uint8_t*>("tiff:Orientation=\"6\""), 20) == 6, "XMP attribute");
  Check(XmpOrientation(reinterpret_cast<const uint8_t*>("tiff:Orientation>8<"), 19) == 8, "XMP element");
  Check(XmpOrientation(reinterpret_cast<const uint8_t*>("tiff:Orientation=6 tiff:Orientation>9"), 38) == 0,
        "XMP: the first match counts (9: none)");
  Check(XmpOrientation(reinterpret_cast<const uint8_t*>("tiff:Orientation=\""), 18) == -1, "XMP cut short: no match");
  const std::string text =
      std::string("XML:com.adobe.xmp") + '\0' + '\0' + '\0' + "en" + '\0' + '\0' + "<x tiff:Orientation=\"5\"/>";
  const auto* body = reinterpret_cast<const uint8_t*>(text.data());
  Check(PngXmpOrientation("iTXt", body, text.size()) == 5, "iTXt XMP");
  for (size_t n = 0; n < text.size(); n++) (void)PngXmpOrientation("iTXt", body, n);
  std::string bad = text;
  bad[21] = '\xC0';  // an overlong UTF-8 form in the language tag: Pillow drops the chunk
  Check(PngXmpOrientation("iTXt", reinterpret_cast<const uint8_t*>(bad.data()), bad.size()) == -2,
        "iTXt: bad UTF-8 dropped");
  std::string z = std::string("XML:com.adobe.xmp") + '\0' + '\0' + "not zlib";
  Check(PngXmpOrientation("zTXt", reinterpret_cast<const uint8_t*>(z.data()), z.size()) == -1,
        "zTXt that does not inflate: an empty packet");

  // "Raw profile type exif": bytes.fromhex of the text from its fourth line
  // on, newlines dropped (a pair may straddle one; other whitespace only
  // between pairs).
  const auto raw = [](const std::string& name, const std::string& text) {
    const std::string chunk = std::string("Raw profile type exif") + '\0' + text;
    return ReadPngExifText(name.c_str(), reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size());
  };
  PngExifText found = raw("tEXt", "\nexif\n       4\n49 4\n9\t2a00\n");
  Check(found.kind == PngExifText::kRawProfile && !found.undecodable &&
            found.exif == std::vector<uint8_t>({'I', 'I', 42, 0}),
        "raw profile: pairs across lines and spaces between pairs");
  Check(raw("tEXt", "\nexif\n4\n4 9").undecodable, "raw profile: a space inside a pair is what fromhex refuses");
  Check(raw("tEXt", "\nexif\n4\n494").undecodable, "raw profile: an odd digit count");
  Check(raw("tEXt", "\nexif\n4\n49zz").undecodable, "raw profile: a non-hex digit");
  found = raw("tEXt", "\nexif\n");
  Check(found.kind == PngExifText::kRawProfile && !found.undecodable && found.exif.empty(),
        "raw profile of three lines: empty EXIF");
  Check(raw("zTXt", std::string(1, '\0') + "not zlib").exif.empty(), "raw profile zTXt that does not inflate: empty");
  Check(raw("zTXt", std::string(1, '\1') + "x").kind == PngExifText::kOther, "zTXt of another method: not kept");
  using namespace std::string_literals;  // "..."s keeps the NULs inside
  Check(raw("iTXt", "\0\0en\0\0\nexif\n4\n\xC3\xA9"s).undecodable, "raw profile iTXt: UTF-8 that is not hex");
  Check(raw("iTXt", "\0\0en\0\0\nexif\n4\n49"s).exif == std::vector<uint8_t>({0x49}), "raw profile iTXt");
  Check(raw("iTXt", "\0\0\xC0\0\0\nexif\n4\n49"s).kind == PngExifText::kOther,
        "raw profile iTXt: bad UTF-8 in the language tag drops the chunk");
  // Past Pillow's 1 MiB of inflated text, Pillow refuses the file: not kept.
  {
    std::vector<uint8_t> big((size_t{1} << 20) + 16, '0');
    uLongf packed_size = compressBound(uLong(big.size()));
    std::vector<uint8_t> packed(packed_size);
    compress(packed.data(), &packed_size, big.data(), uLong(big.size()));
    std::string chunk = std::string("Raw profile type exif") + '\0' + '\0';
    chunk.append(reinterpret_cast<const char*>(packed.data()), packed_size);
    Check(ReadPngExifText("zTXt", reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()).kind ==
              PngExifText::kOther,
          "raw profile zTXt over 1 MiB inflated: not kept");
  }
  const std::string exif_key = std::string("exif") + '\0' + "Exif" + '\0' + '\0' + "II*";
  found = ReadPngExifText("tEXt", reinterpret_cast<const uint8_t*>(exif_key.data()), exif_key.size());
  Check(found.kind == PngExifText::kExifText && !found.undecodable && found.exif.size() == 9,
        "tEXt keyed exif: its bytes as the EXIF");
  const std::string exif_ztxt = "exif\0\0not zlib"s;  // method 0, data that does not inflate: kept as ""
  found = ReadPngExifText("zTXt", reinterpret_cast<const uint8_t*>(exif_ztxt.data()), exif_ztxt.size());
  Check(found.kind == PngExifText::kExifText && found.exif.empty(), "zTXt keyed exif: a string, no EXIF bytes");
  const std::string other = std::string("Raw profile type iptc") + '\0' + "\nexif\n4\n49";
  Check(
      ReadPngExifText("tEXt", reinterpret_cast<const uint8_t*>(other.data()), other.size()).kind == PngExifText::kOther,
      "another keyword: not EXIF");
  for (size_t n = 0; n < exif_key.size(); n++) {
    (void)ReadPngExifText("iTXt", reinterpret_cast<const uint8_t*>(exif_key.data()), n);
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: codecs_test <fixtures dir> [--bench]\n");
    return 2;
  }
  g_dir = argv[1];
  bool bench = argc > 2 && std::strcmp(argv[2], "--bench") == 0;
  std::vector<DecodeCase> decode;
  std::vector<EncodeCase> encode;
  std::vector<CorruptCase> corrupt;
  LoadManifest(&decode, &encode, &corrupt);
  Check(decode.size() > 40 && encode.size() >= 4, "manifest has the decode and encode cases");
  std::printf("libjpeg-turbo %s, libpng %s, zlib %s; %zu decode cases, %zu encode cases\n", JpegLibraryVersion(),
              PngLibraryVersion(), ZlibVersion(), decode.size(), encode.size());
  TestDecodeExact(decode);
  TestJpegPaths(decode);
  TestLuma(decode);
  TestLumaCopy(decode, corrupt);
  TestTruncationParity(decode);
  TestCorrupt(corrupt);
  TestEncode(encode);
  TestPngFilterPaths();
  TestPngUnfilterPaths();
  TestPngIdatLayouts(decode);
  TestPngDecodeHooks(decode);
  TestPngEncodeScratch();
#if OFFLOOP_HAVE_LIBDEFLATE
  TestPngLevelTrial();
#endif
  TestDetection();
  TestLimitsAndHugeHeaders();
  TestOrientationReaders();
  if (!bench) TestRobustness(decode);
  if (bench) Bench();
  return offloop::testing::Summary();
}
