// Decoding an encoded image (JPEG or PNG, detected from its bytes) into 8-bit
// gray, band by band, so a caller can check for cancellation, report progress
// or hand bands to other threads between steps.
//
// Use:
//   std::unique_ptr<GrayDecoder> d;
//   Status s = OpenGrayDecoder(data, size, options, &d);   // header only
//   ... d->info().width, height: check, allocate width*height bytes ...
//   s = d->Start({pixels, width});
//   DecodeProgress p;
//   while (s.ok() && !p.finished) s = d->Step(64, &p);
//
// Nothing here throws: every failure is a Status. The input bytes are not
// copied and must stay alive and unchanged until the decoder is destroyed.
// One decoder is used by one thread at a time; different decoders are
// independent.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "detect.h"
#include "errors.h"
#include "pillow_gray.h"
#include "scratch.h"

namespace offloop::codecs {

enum class GrayMode {
  // Image.open(p).convert('L') of Pillow 9.4, bit for bit.
  kExact,
  // JPEG in YCbCr (or gray): libjpeg's grayscale output, i.e. the decoded Y
  // plane with no chroma decode, upsampling or colour conversion (= Pillow's
  // draft('L', None)). Every other input decodes as kExact.
  kLuma,
};

// The default pixel limit, sharp's limitInputPixels: 0x3FFF * 0x3FFF
// (lib/ reads it from constants() and checks its own copy against it).
constexpr uint64_t kDefaultMaxPixels = 268402689;

// For measurements only: how kExact gets L out of a YCbCr JPEG.
enum class JpegExactPath {
  kRgbx,      // libjpeg -> RGBX (as Pillow asks), then the L formula per band
  kRgb,       // libjpeg -> RGB, then the L formula per band
  kFusedYcc,  // libjpeg -> upsampled YCbCr, then YCbCr -> RGB -> L in one pass
};

struct DecodeOptions {
  GrayMode mode = GrayMode::kExact;
  // Width * height above this is refused (kTooLarge) from the header, before
  // any pixel buffer exists. 0: no limit.
  uint64_t max_pixels = kDefaultMaxPixels;
  // A progressive JPEG with more scans than this is refused (kTooLarge): many
  // tiny scans are a known way to make libjpeg spin. Real files have ~10.
  int max_jpeg_scans = 1000;
  // Polled between bands, and inside libjpeg while it reads a progressive
  // JPEG's scans; when it reads true the decode stops with kCancelled.
  const std::atomic<bool>* cancel = nullptr;
  // RGBX rows -> L; nullptr: RgbxRowToLScalar. Must produce the same bytes.
  RgbxRowToL rgbx_to_l = nullptr;
  // 8-bit RGB or RGBA rows (PNG's) -> L; nullptr: RgbRowToL. Same bytes.
  RgbRowToLFn rgb_to_l = nullptr;
  // Where a decode's large scratch buffer comes from (PNG's raw rows when
  // inflated whole): `bytes` of any content, freed when *owner lets go, or
  // null. nullptr: operator new[]. The addon passes its page cache, so that
  // file after file reuses mapped pages instead of faulting fresh ones in.
  ScratchAllocator scratch = nullptr;
  JpegExactPath jpeg_exact_path = JpegExactPath::kRgbx;
};

// Where decoded rows go: height rows of width bytes, `stride` bytes apart.
struct GrayTarget {
  uint8_t* data = nullptr;
  size_t stride = 0;
};

struct DecodeProgress {
  uint64_t done = 0;  // work units done (output rows, or rows of Adam7 passes)
  uint64_t total = 0;
  bool finished = false;
};

class GrayDecoder {
 public:
  virtual ~GrayDecoder() = default;
  GrayDecoder(const GrayDecoder&) = delete;
  GrayDecoder& operator=(const GrayDecoder&) = delete;

  // What the header said. width/height are the output's.
  const HeaderInfo& info() const { return info_; }
  uint32_t width() const { return info_.width; }
  uint32_t height() const { return info_.height; }
  // True when kLuma was asked for and this input takes the luma path.
  bool luma() const { return luma_; }
  // libjpeg/libpng warnings seen so far (corrupt-but-decodable data).
  int warnings() const { return warnings_; }

  // Once, before Step. The target must hold height() rows of width() bytes.
  virtual Status Start(GrayTarget target) noexcept = 0;
  // Decodes about `rows` more output rows (JPEG), or feeds the decoder input
  // until about that many rows came out (PNG). Returns when that band is done
  // or the image is (progress->finished). After an error the decoder is spent:
  // every later call returns the same error.
  virtual Status Step(uint32_t rows, DecodeProgress* progress) noexcept = 0;

 protected:
  GrayDecoder() = default;
  HeaderInfo info_;
  bool luma_ = false;
  int warnings_ = 0;
};

// Each format's Open*GrayDecoder: allocates its decoder without throwing,
// reads the header, and hands the decoder over only when that succeeded.
template <typename FormatDecoder>
Status OpenFormatDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                         std::unique_ptr<GrayDecoder>* decoder) noexcept {
  std::unique_ptr<FormatDecoder> d(new (std::nothrow) FormatDecoder(data, size, options));
  if (!d) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  Status status = d->Open();
  if (status.ok()) *decoder = std::move(d);
  return status;
}

// Reads the header of `data` (format from the bytes), checks the pixel limit
// and sets up the decoder. kUnsupported names the format it found.
Status OpenGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                       std::unique_ptr<GrayDecoder>* decoder) noexcept;

struct GrayImage {
  std::vector<uint8_t> pixels;  // width * height, packed
  uint32_t width = 0;
  uint32_t height = 0;
  HeaderInfo info;
  bool luma = false;
};

// The whole image at once (Open, allocate, Step until finished).
Status DecodeGray(const uint8_t* data, size_t size, const DecodeOptions& options, GrayImage* image) noexcept;

}  // namespace offloop::codecs
