// How failures leave libjpeg: see jpeg_reader.h. Every libjpeg call is made
// from a small Call* function that holds the setjmp and nothing else, and
// everything libjpeg touches lives in one heap JpegContext (plain data) owned
// by the decoder object outside the longjmp path.
#include "jpeg_decode.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>

#include "jpeg_reader.h"

namespace offloop::codecs {

namespace {

#define OFFLOOP_STR2(x) #x
#define OFFLOOP_STR(x) OFFLOOP_STR2(x)

struct JpegContext {
  JpegReader reader;
  JSAMPARRAY band = nullptr;  // libjpeg-owned (JPOOL_IMAGE) rows for RGBX/RGB/CMYK/YCbCr
  JDIMENSION band_rows = 0;
};

// ---- the only frames with a setjmp (with jpeg_reader.cc's). Each returns
// false if libjpeg failed.

bool CallStart(JpegContext* c, bool* started, JDIMENSION band_rows) {
  if (setjmp(c->reader.error.jump)) return false;
  *started = jpeg_start_decompress(&c->reader.cinfo) != FALSE;
  if (*started && band_rows > 0) {
    c->band = (*c->reader.cinfo.mem->alloc_sarray)(
        reinterpret_cast<j_common_ptr>(&c->reader.cinfo), JPOOL_IMAGE,
        c->reader.cinfo.output_width * static_cast<JDIMENSION>(c->reader.cinfo.out_color_components), band_rows);
    c->band_rows = band_rows;
  }
  return true;
}

bool CallRead(JpegContext* c, JSAMPARRAY rows, JDIMENSION max_rows, JDIMENSION* got) {
  if (setjmp(c->reader.error.jump)) return false;
  *got = jpeg_read_scanlines(&c->reader.cinfo, rows, max_rows);
  return true;
}

bool CallFinish(JpegContext* c) {
  if (setjmp(c->reader.error.jump)) return false;
  jpeg_finish_decompress(&c->reader.cinfo);  // FALSE (suspended: no EOI yet) is fine, as in Pillow
  return true;
}

// ---- libjpeg's YCbCr -> RGB in integers (the JFIF equations in 16-bit fixed
// point, rounded as libjpeg does), fused with Pillow's L. For measuring only.
struct YccTables {
  int cr_r[256];
  int cb_b[256];
  int32_t cr_g[256];
  int32_t cb_g[256];
  YccTables() {
    const int32_t one_half = 1 << 15;
    auto fix = [](double v) { return static_cast<int32_t>(v * 65536.0 + 0.5); };
    for (int i = 0; i < 256; i++) {
      int32_t x = i - 128;
      cr_r[i] = static_cast<int>((fix(1.40200) * x + one_half) >> 16);
      cb_b[i] = static_cast<int>((fix(1.77200) * x + one_half) >> 16);
      cr_g[i] = -fix(0.71414) * x;
      cb_g[i] = -fix(0.34414) * x + one_half;
    }
  }
};

inline uint32_t Clamp255(int v) { return v < 0 ? 0u : v > 255 ? 255u : static_cast<uint32_t>(v); }

void YccRowToL(const uint8_t* ycc, size_t pixels, uint8_t* dst) {
  static const YccTables tables;
  for (size_t i = 0; i < pixels; i++, ycc += 3) {
    int y = ycc[0], cb = ycc[1], cr = ycc[2];
    uint32_t r = Clamp255(y + tables.cr_r[cr]);
    uint32_t g = Clamp255(y + static_cast<int>((tables.cb_g[cb] + tables.cr_g[cr]) >> 16));
    uint32_t b = Clamp255(y + tables.cb_b[cb]);
    dst[i] = PillowLuma(r, g, b);
  }
}

enum class RowKind { kDirect, kRgbx, kRgb, kCmyk, kYcc };

class JpegGrayDecoder final : public GrayDecoder {
 public:
  JpegGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : data_(data), size_(size), options_(options) {}

  ~JpegGrayDecoder() override {
    if (context_) DestroyJpegReader(&context_->reader);
  }

  Status Open() noexcept {
    Status header = InspectHeader(data_, size_, &info_);
    // Our own walk is only for the description and EXIF orientation: libjpeg
    // decides what decodes. (A walk error is reported by libjpeg below too,
    // unless libjpeg accepts the file, as Pillow would.)
    (void)header;
    context_.reset(new (std::nothrow) JpegContext());
    if (!context_) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    JpegContext* c = context_.get();
    if (!CallCreateReader(&c->reader, data_, size_, options_.max_jpeg_scans, options_.cancel)) return Fail();
    int header_result = 0;
    if (!CallReadHeader(&c->reader, &header_result)) return Fail();
    if (header_result != JPEG_HEADER_OK) {
      return Fail(Status::Error(ErrorCode::kTruncated, "JPEG data ends before the image header is complete"));
    }
    jpeg_decompress_struct& cinfo = c->reader.cinfo;
    int n = cinfo.num_components;
    if (n != 1 && n != 3 && n != 4) {
      return Fail(Status::Error(ErrorCode::kUnsupported, "JPEG with %d components", n));
    }
    info_.format = ImageFormat::kJpeg;
    info_.width = cinfo.image_width;
    info_.height = cinfo.image_height;
    info_.components = n;
    info_.bit_depth = cinfo.data_precision;
    info_.progressive = cinfo.progressive_mode != FALSE;
    info_.jfif = cinfo.saw_JFIF_marker != FALSE;
    info_.adobe_transform = cinfo.saw_Adobe_marker ? cinfo.Adobe_transform : -1;
    const char* color = "other";
    switch (cinfo.jpeg_color_space) {
      case JCS_GRAYSCALE:
        color = "gray";
        break;
      case JCS_YCbCr:
        color = "ycbcr";
        break;
      case JCS_RGB:
        color = "rgb";
        break;
      case JCS_CMYK:
        color = "cmyk";
        break;
      case JCS_YCCK:
        color = "ycck";
        break;
      default:
        break;
    }
    std::snprintf(info_.kind, sizeof info_.kind, "jpeg %s %dx%d %s", color, cinfo.max_h_samp_factor,
                  cinfo.max_v_samp_factor, info_.progressive ? "progressive" : "baseline");
    info_.max_h_samp = cinfo.max_h_samp_factor;
    info_.max_v_samp = cinfo.max_v_samp_factor;
    Status limit = CheckPixelLimit(info_.width, info_.height, options_.max_pixels);
    if (!limit.ok()) return Fail(limit);

    // What Pillow asks for (decode.c / JpegDecode.c): L for 1 component, RGBX
    // for 3, CMYK for 4; everything else stays libjpeg's default.
    if (n == 1) {
      cinfo.out_color_space = JCS_GRAYSCALE;
      kind_ = RowKind::kDirect;
    } else if (n == 3) {
      bool ycc = cinfo.jpeg_color_space == JCS_YCbCr;
      if (options_.mode == GrayMode::kLuma && ycc) {
        cinfo.out_color_space = JCS_GRAYSCALE;  // Y only: chroma is entropy-decoded, never IDCT'd
        kind_ = RowKind::kDirect;
        luma_ = true;
      } else if (options_.jpeg_exact_path == JpegExactPath::kFusedYcc && ycc) {
        cinfo.out_color_space = JCS_YCbCr;
        kind_ = RowKind::kYcc;
      } else if (options_.jpeg_exact_path == JpegExactPath::kRgb) {
        cinfo.out_color_space = JCS_RGB;
        kind_ = RowKind::kRgb;
      } else {
#ifdef JCS_EXTENSIONS
        cinfo.out_color_space = JCS_EXT_RGBX;
        kind_ = RowKind::kRgbx;
#else
        cinfo.out_color_space = JCS_RGB;
        kind_ = RowKind::kRgb;
#endif
      }
    } else {
      cinfo.out_color_space = JCS_CMYK;  // libjpeg turns YCCK into CMYK itself
      kind_ = RowKind::kCmyk;
    }
    if (options_.mode == GrayMode::kLuma && n == 1) luma_ = true;
    return Status::Ok();
  }

  Status Start(GrayTarget target) noexcept override {
    if (!status_.ok()) return status_;
    if (started_) return Status::Error(ErrorCode::kInvalidArgument, "decoder already started");
    if (target.data == nullptr || target.stride < info_.width) {
      return Status::Error(ErrorCode::kInvalidArgument, "target too small for %u pixels a row", info_.width);
    }
    target_ = target;
    started_ = true;
    bool ready = false;
    JDIMENSION band = kind_ == RowKind::kDirect ? 0 : kBandRows;
    if (!CallStart(context_.get(), &ready, band)) return Fail();
    if (!ready) return Fail(Status::Error(ErrorCode::kTruncated, "JPEG data ends before its last scan"));
    warnings_ = static_cast<int>(context_->reader.error.pub.num_warnings);
    return Status::Ok();
  }

  Status Step(uint32_t rows, DecodeProgress* progress) noexcept override {
    if (!status_.ok()) return status_;
    if (!started_) return Status::Error(ErrorCode::kInvalidArgument, "Step before Start");
    jpeg_decompress_struct& cinfo = context_->reader.cinfo;
    if (rows == 0) rows = 1;
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
      return Fail(Status::Error(ErrorCode::kCancelled, "cancelled"));
    }
    uint32_t produced = 0;
    while (!finished_ && produced < rows && cinfo.output_scanline < cinfo.output_height) {
      JDIMENSION y = cinfo.output_scanline;
      JDIMENSION got = 0;
      if (kind_ == RowKind::kDirect) {
        JSAMPROW pointers[kBandRows];
        JDIMENSION want = cinfo.output_height - y;
        if (want > kBandRows) want = kBandRows;
        for (JDIMENSION i = 0; i < want; i++) pointers[i] = target_.data + (y + i) * target_.stride;
        if (!CallRead(context_.get(), pointers, want, &got)) return Fail();
      } else {
        if (!CallRead(context_.get(), context_->band, context_->band_rows, &got)) return Fail();
        for (JDIMENSION i = 0; i < got; i++) ConvertRow(context_->band[i], target_.data + (y + i) * target_.stride);
      }
      if (got == 0) {
        return Fail(Status::Error(ErrorCode::kTruncated, "JPEG data ends at row %u of %u", y, cinfo.output_height));
      }
      produced += got;
    }
    if (!finished_ && cinfo.output_scanline >= cinfo.output_height) {
      if (!CallFinish(context_.get())) return Fail();
      finished_ = true;
    }
    warnings_ = static_cast<int>(context_->reader.error.pub.num_warnings);
    if (progress != nullptr) {
      progress->done = cinfo.output_scanline;
      progress->total = cinfo.output_height;
      progress->finished = finished_;
    }
    return Status::Ok();
  }

 private:
  static constexpr JDIMENSION kBandRows = 16;

  void ConvertRow(const uint8_t* src, uint8_t* dst) const {
    size_t w = context_->reader.cinfo.output_width;
    switch (kind_) {
      case RowKind::kRgbx:
        (options_.rgbx_to_l != nullptr ? options_.rgbx_to_l : RgbxRowToLScalar)(src, w, dst);
        break;
      case RowKind::kRgb:
        RgbRowToL(src, 3, w, dst);
        break;
      case RowKind::kCmyk:
        AdobeCmykRowToL(src, w, dst);
        break;
      case RowKind::kYcc:
        YccRowToL(src, w, dst);
        break;
      case RowKind::kDirect:
        break;
    }
  }

  // After a longjmp: the message and code libjpeg (or our callbacks) left.
  Status Fail() { return Fail(JpegReaderFailure(context_->reader)); }
  Status Fail(Status status) {
    status_ = status;
    // libjpeg's state is undefined after an error: only destroy is allowed,
    // and the destructor does that.
    return status_;
  }

  const uint8_t* data_;
  size_t size_;
  DecodeOptions options_;
  std::unique_ptr<JpegContext> context_;
  RowKind kind_ = RowKind::kDirect;
  GrayTarget target_;
  Status status_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace

const char* JpegLibraryVersion() {
#ifdef LIBJPEG_TURBO_VERSION
  return OFFLOOP_STR(LIBJPEG_TURBO_VERSION);
#else
  return OFFLOOP_STR(JPEG_LIB_VERSION);
#endif
}

const void* JpegLibrarySymbol() { return reinterpret_cast<const void*>(&jpeg_std_error); }

Status OpenJpegGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                           std::unique_ptr<GrayDecoder>* decoder) noexcept {
  return OpenFormatDecoder<JpegGrayDecoder>(data, size, options, decoder);
}

}  // namespace offloop::codecs
