// How failures leave libpng: its error callback longjmps. Every libpng call is
// made from one of the small Call* functions below, which hold the setjmp and
// nothing else; everything libpng touches lives in one heap PngContext (plain
// data) owned by the decoder object outside the longjmp path. The callbacks
// (error, warning, info, row, end) are plain code that cannot throw. The
// progressive ("push") reader is used so that a file which stops after its
// last row is still complete (as for Pillow), and so that decoding goes in
// bands: we feed a slice of input, libpng hands back the rows it completes.
//
// Built with libdeflate (OFFLOOP_HAVE_LIBDEFLATE, as the prebuilt binaries
// are), a well-formed file skips libpng: its IDAT data is inflated in one
// libdeflate call (about a third of zlib's CPU time) into the raw rows, whose
// size the header gives, and Step unfilters and converts them band by band.
// Anything that call or the filter bytes do not accept as a whole, exact
// stream (a short, long, damaged or truncated one, a small declared window,
// an IDAT longer than libpng allows) goes through libpng as before, which
// gives the verdicts on damaged files; so does an image whose raw rows would
// take more than kMaxWholeInflate bytes, or more than deflate can expand the
// IDAT bytes present to (no allocation sized by a header the data cannot fill).
#include "png_decode.h"

#include <atomic>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>

#include <png.h>
#include <zlib.h>
#if OFFLOOP_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "png_filter.h"

namespace offloop::codecs {

namespace {

std::atomic<uint64_t> g_whole_inflates{0};

// Adam7: first column, first row, column step, row step of each pass.
constexpr uint32_t kPassX[7] = {0, 4, 0, 2, 0, 1, 0};
constexpr uint32_t kPassY[7] = {0, 0, 4, 0, 2, 0, 1};
constexpr uint32_t kPassDx[7] = {8, 8, 4, 4, 2, 2, 1};
constexpr uint32_t kPassDy[7] = {8, 8, 8, 4, 4, 2, 2};

struct PngContext {
  std::jmp_buf jump;
  ErrorCode code = ErrorCode::kCorrupt;
  char message[160] = {};
  png_structp png = nullptr;
  png_infop info = nullptr;
  // The image
  uint32_t width = 0;
  uint32_t height = 0;
  int bit_depth = 0;
  int color_type = 0;
  bool interlaced = false;
  uint8_t palette_l[256] = {};       // L of each palette entry, Pillow's ramp past PLTE's end
  RgbRowToLFn rgb_to_l = RgbRowToL;  // 8-bit RGB(A) rows of whole width
  // Output
  uint8_t* target = nullptr;
  size_t stride = 0;
  uint64_t rows_done = 0;  // rows (of every pass) converted so far
  uint64_t rows_total = 0;
  bool ended = false;  // libpng reached IEND
  int warnings = 0;
};

ErrorCode ClassifyPngMessage(const char* message) {
  if (std::strstr(message, "memory") != nullptr || std::strstr(message, "Memory") != nullptr) {
    return ErrorCode::kOutOfMemory;
  }
  if (std::strstr(message, "exceeds") != nullptr || std::strstr(message, "too large") != nullptr ||
      std::strstr(message, "limit") != nullptr) {
    return ErrorCode::kTooLarge;
  }
  return ErrorCode::kCorrupt;
}

void OnError(png_structp png, png_const_charp message) {
  PngContext* c = static_cast<PngContext*>(png_get_error_ptr(png));
  std::snprintf(c->message, sizeof c->message, "PNG: %s", message != nullptr ? message : "error");
  c->code = ClassifyPngMessage(c->message);
  std::longjmp(c->jump, 1);
}

void OnWarning(png_structp png, png_const_charp) { static_cast<PngContext*>(png_get_error_ptr(png))->warnings++; }

void OnInfo(png_structp png, png_infop info) {
  // No transformations: rows arrive as stored (packed bits, 16-bit big
  // endian, palette indices), one Adam7 pass after another.
  (void)info;
  png_start_read_image(png);
}

inline uint8_t Sample16ToL(const uint8_t* p) { return p[0] != 0 ? 255 : p[1]; }  // min(v, 255)

// One stored row (of `count` pixels of a pass) into gray pixels at x0, x0+dx...
void ConvertRow(const PngContext* c, const uint8_t* row, uint32_t count, uint8_t* out, uint32_t x0, uint32_t dx) {
  uint8_t* o = out + x0;
  const int depth = c->bit_depth;
  switch (c->color_type) {
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_PALETTE: {
      const bool palette = c->color_type == PNG_COLOR_TYPE_PALETTE;
      if (depth == 16) {  // gray only
        for (uint32_t i = 0; i < count; i++, o += dx) *o = Sample16ToL(row + 2 * i);
      } else if (depth == 8) {
        if (palette) {
          for (uint32_t i = 0; i < count; i++, o += dx) *o = c->palette_l[row[i]];
        } else {
          for (uint32_t i = 0; i < count; i++, o += dx) *o = row[i];
        }
      } else {
        // 1, 2, 4 bits, most significant first. Gray scales to 0..255 as
        // Pillow's unpackers do (1-bit: 0/255; 2-bit: *0x55; 4-bit: *0x11).
        const uint32_t per_byte = 8 / depth;
        const uint32_t mask = (1u << depth) - 1;
        const uint32_t scale = depth == 1 ? 255 : depth == 2 ? 0x55 : 0x11;
        for (uint32_t i = 0; i < count; i++, o += dx) {
          uint32_t shift = 8 - depth * (i % per_byte + 1);
          uint32_t v = (row[i / per_byte] >> shift) & mask;
          *o = palette ? c->palette_l[v] : static_cast<uint8_t>(v * scale);
        }
      }
      break;
    }
    case PNG_COLOR_TYPE_GRAY_ALPHA: {
      const uint32_t step = depth == 16 ? 4 : 2;  // 16-bit: the high byte of gray
      for (uint32_t i = 0; i < count; i++, o += dx) *o = row[i * step];
      break;
    }
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_RGB_ALPHA: {
      const uint32_t channels = c->color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
      const uint32_t bytes = depth == 16 ? 2 : 1;  // 16-bit: high bytes only
      const uint32_t step = channels * bytes;
      if (dx == 1 && bytes == 1) {
        c->rgb_to_l(row, step, count, o);
        break;
      }
      for (uint32_t i = 0; i < count; i++, o += dx) {
        const uint8_t* p = row + i * step;
        *o = PillowLuma(p[0], p[bytes], p[2 * bytes]);
      }
      break;
    }
    default:
      break;
  }
}

// Where the rows of each pass come from: Adam7's seven, or one pass of the
// whole image. A pass with no column has no rows (and no filter bytes).
struct PassGeometry {
  uint32_t x0, dx, y0, dy;
  uint32_t columns, rows;
};

PassGeometry Pass(const PngContext* c, int pass) {
  PassGeometry g{0, 1, 0, 1, c->width, c->height};
  if (c->interlaced) {
    g.x0 = kPassX[pass], g.dx = kPassDx[pass], g.y0 = kPassY[pass], g.dy = kPassDy[pass];
    g.columns = c->width > g.x0 ? (c->width - g.x0 + g.dx - 1) / g.dx : 0;
    g.rows = c->height > g.y0 ? (c->height - g.y0 + g.dy - 1) / g.dy : 0;
    if (g.columns == 0) g.rows = 0;
  }
  return g;
}

// Bits a pixel, from IHDR's colour type (validated by InspectPng) and depth.
uint64_t BitsPerPixel(int color_type, int bit_depth) {
  static const int kChannels[7] = {1, 0, 3, 1, 2, 0, 4};
  return uint64_t(kChannels[color_type]) * uint64_t(bit_depth);
}

inline uint32_t Big32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// Calls visit(data, available, length) for each IDAT chunk in the run that
// starts at `pos`, as much of its data as the input holds; stops after a
// chunk cut short (by its data or its CRC) or when visit returns false.
template <typename Visit>
void ForEachIdat(const uint8_t* data, size_t size, size_t pos, Visit visit) {
  while (pos <= size && size - pos >= 8 && std::memcmp(data + pos + 4, "IDAT", 4) == 0) {
    const uint32_t length = Big32(data + pos);
    const size_t after_header = size - pos - 8;
    const size_t available = after_header < length ? after_header : length;
    if (!visit(data + pos + 8, available, length)) return;
    if (after_header - available < 4) return;  // no room for the CRC: the input ends in this chunk
    pos += 12 + size_t(length);
  }
}

void OnRow(png_structp png, png_bytep row, png_uint_32 row_number, int pass) {
  PngContext* c = static_cast<PngContext*>(png_get_progressive_ptr(png));
  if (row == nullptr) return;
  uint32_t y, x0, dx, count;
  if (c->interlaced) {
    if (pass < 0 || pass > 6) return;
    y = kPassY[pass] + row_number * kPassDy[pass];
    x0 = kPassX[pass];
    dx = kPassDx[pass];
    count = (c->width - x0 + dx - 1) / dx;
  } else {
    y = row_number;
    x0 = 0;
    dx = 1;
    count = c->width;
  }
  if (y >= c->height) return;
  ConvertRow(c, row, count, c->target + y * c->stride, x0, dx);
  c->rows_done++;
}

void OnEnd(png_structp png, png_infop) { static_cast<PngContext*>(png_get_progressive_ptr(png))->ended = true; }

// ---- the only frames with a setjmp. Each returns false if libpng failed.

bool CallCreate(PngContext* c) {
  if (setjmp(c->jump)) return false;
  c->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, OnError, OnWarning);
  if (c->png == nullptr) {
    c->code = ErrorCode::kOutOfMemory;
    std::snprintf(c->message, sizeof c->message, "PNG: cannot create a reader (out of memory)");
    return false;
  }
  c->info = png_create_info_struct(c->png);
  if (c->info == nullptr) {
    c->code = ErrorCode::kOutOfMemory;
    std::snprintf(c->message, sizeof c->message, "PNG: cannot create a reader (out of memory)");
    return false;
  }
  // Pillow never checks IDAT CRCs and checks the others itself (we did, in
  // InspectPng); benign errors are warnings; the size limit is ours.
  png_set_crc_action(c->png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
  png_set_benign_errors(c->png, 1);
  png_set_user_limits(c->png, 0x7FFFFFFF, 0x7FFFFFFF);
  png_set_progressive_read_fn(c->png, c, OnInfo, OnRow, OnEnd);
  return true;
}

bool CallFeed(PngContext* c, const uint8_t* data, size_t size) {
  if (setjmp(c->jump)) return false;
  png_process_data(c->png, c->info, const_cast<png_bytep>(data), size);
  return true;
}

class PngGrayDecoder final : public GrayDecoder {
 public:
  PngGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : data_(data), size_(size), options_(options) {}

  ~PngGrayDecoder() override {
    if (context_ && context_->png != nullptr) {
      png_destroy_read_struct(&context_->png, context_->info != nullptr ? &context_->info : nullptr, nullptr);
    }
  }

  Status Open() noexcept {
    PngLayout& layout = layout_;
    Status status = InspectPng(data_, size_, &info_, &layout);
    if (!status.ok()) return Fail(status);
    status = CheckPixelLimit(info_.width, info_.height, options_.max_pixels);
    if (!status.ok()) return Fail(status);
    // libpng holds two raw rows (and zeroes one per pass): a 16-bit RGBA row
    // of 2^31 pixels is 16 GiB, whatever the pixel limit says. Real images
    // are far below this cap (a 16-bit RGBA row of it is 33 million pixels).
    const uint64_t row_bytes = (uint64_t{info_.width} * BitsPerPixel(info_.png_color_type, info_.bit_depth) + 7) / 8;
    if (row_bytes > kMaxRowBytes) {
      return Fail(Status::Error(ErrorCode::kTooLarge, "PNG rows of %llu bytes are over offloop's limit of %llu per row",
                                static_cast<unsigned long long>(row_bytes),
                                static_cast<unsigned long long>(kMaxRowBytes)));
    }
    context_.reset(new (std::nothrow) PngContext());
    if (!context_) return Fail(Status::Error(ErrorCode::kOutOfMemory, "out of memory"));
    PngContext* c = context_.get();
    c->width = info_.width;
    c->height = info_.height;
    c->bit_depth = info_.bit_depth;
    c->color_type = info_.png_color_type;
    if (options_.rgb_to_l != nullptr) c->rgb_to_l = options_.rgb_to_l;
    c->interlaced = info_.progressive;
    for (int i = 0; i < 256; i++) c->palette_l[i] = static_cast<uint8_t>(i);  // Pillow's ramp
    if (layout.palette_offset != 0) {
      const uint8_t* p = data_ + layout.palette_offset;
      size_t entries = layout.palette_length / 3;
      if (entries > 256) entries = 256;
      for (size_t i = 0; i < entries; i++) c->palette_l[i] = PillowLuma(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
    }
    if (c->interlaced) {
      for (int pass = 0; pass < 7; pass++) {
        uint64_t cols =
            info_.width > kPassX[pass] ? (info_.width - kPassX[pass] + kPassDx[pass] - 1) / kPassDx[pass] : 0;
        uint64_t rows =
            info_.height > kPassY[pass] ? (info_.height - kPassY[pass] + kPassDy[pass] - 1) / kPassDy[pass] : 0;
        if (cols != 0) c->rows_total += rows;
      }
    } else {
      c->rows_total = info_.height;
    }
    if (!CallCreate(c)) return Fail();
    return Status::Ok();
  }

  Status Start(GrayTarget target) noexcept override {
    if (!status_.ok()) return status_;
    if (started_) return Status::Error(ErrorCode::kInvalidArgument, "decoder already started");
    if (target.data == nullptr || target.stride < info_.width) {
      return Status::Error(ErrorCode::kInvalidArgument, "target too small for %u pixels a row", info_.width);
    }
    started_ = true;
    context_->target = target.data;
    context_->stride = target.stride;
    // Pillow's image starts zeroed: pixels a short zlib stream never reaches
    // stay 0. Adam7 passes leave holes anywhere, so that image is zeroed now;
    // plain rows arrive in order, so only those never reached are zeroed, if
    // the stream ends early (zeroing gigabytes up front for a file that turns
    // out truncated took seconds).
    if (info_.progressive) {
      for (uint32_t y = 0; y < info_.height; y++) std::memset(target.data + y * target.stride, 0, info_.width);
    }
#if OFFLOOP_HAVE_LIBDEFLATE
    // libpng reads every chunk before the image data, as it always did (its
    // verdict on them stands); then the data is inflated whole if it can be,
    // else libpng goes on from the first IDAT's data.
    const size_t prefix = layout_.first_idat + 8;
    if (prefix <= size_) {
      if (!CallFeed(context_.get(), data_, prefix)) return Fail();
      fed_ = prefix;
      // libdeflate inflates in one call that nothing interrupts. Most of
      // what that call cost was the page faults of the fresh raw-row buffer
      // (a 200 MiB one took 1.1 s of CPU time here, 67 ms of it inflating):
      // InflateWhole takes those first, in pieces, seeing a cancellation
      // between them. So a cancellation is seen before the call, or by the
      // first Step after it; the call itself is 20-70 ms up to
      // kMaxWholeInflate (zlib in pieces would bound it further at 2-13 times
      // the CPU time: native/codecs/README.md).
      if (Cancelled()) return Fail(Status::Error(ErrorCode::kCancelled, "cancelled"));
      whole_ = InflateWhole();
      if (!whole_ && Cancelled()) return Fail(Status::Error(ErrorCode::kCancelled, "cancelled"));
    }
#endif
    return Status::Ok();
  }

  Status Step(uint32_t rows, DecodeProgress* progress) noexcept override {
    if (!status_.ok()) return status_;
    if (!started_) return Status::Error(ErrorCode::kInvalidArgument, "Step before Start");
    if (rows == 0) rows = 1;
    if (Cancelled()) return Fail(Status::Error(ErrorCode::kCancelled, "cancelled"));
    PngContext* c = context_.get();
    const uint64_t goal = c->rows_done + rows;
    if (whole_) {
      StepWhole(goal);
    }
    while (!whole_ && !finished_ && c->rows_done < goal) {
      if (c->rows_done >= c->rows_total) {
        finished_ = true;  // every row is in: what follows does not matter (Pillow)
        break;
      }
      if (fed_ >= size_) {
        if (c->ended && StreamEndsOnRowBoundary()) {
          // The zlib stream ended early, between two rows: Pillow stops there
          // and keeps the rest of its zeroed image (ZipDecode.c).
          if (!info_.progressive) {
            for (uint64_t y = c->rows_done; y < info_.height; y++) {
              std::memset(c->target + y * c->stride, 0, info_.width);
            }
          }
          finished_ = true;
          break;
        }
        return Fail(Status::Error(ErrorCode::kTruncated, "PNG data ends after %llu of %llu rows",
                                  static_cast<unsigned long long>(c->rows_done),
                                  static_cast<unsigned long long>(c->rows_total)));
      }
      size_t slice = size_ - fed_ < kSlice ? size_ - fed_ : kSlice;
      bool ok = CallFeed(c, data_ + fed_, slice);
      fed_ += slice;
      if (!ok) {
        if (c->rows_done >= c->rows_total) {
          finished_ = true;  // an error after the last row: Pillow never reads that far
          break;
        }
        return Fail();
      }
    }
    if (!finished_ && c->rows_done >= c->rows_total) finished_ = true;
    warnings_ = c->warnings;
    if (progress != nullptr) {
      progress->done = c->rows_done;
      progress->total = c->rows_total;
      progress->finished = finished_;
    }
    return Status::Ok();
  }

 private:
  static constexpr size_t kSlice = 16384;
  static constexpr uint64_t kMaxRowBytes = uint64_t{256} << 20;
  // The largest raw image inflated in one piece (a 16-bit RGBA image of 33
  // MP); larger ones stream through libpng, a row at a time.
  static constexpr uint64_t kMaxWholeInflate = uint64_t{256} << 20;
  // Deflate's largest expansion: a 258-byte match costs at least 2 bits.
  static constexpr uint64_t kMaxDeflateRatio = 1032;

  // Inflates all of the IDAT data into raw_ when it is one exact, intact
  // zlib stream whose rows have valid filter types; false (nothing kept)
  // sends the file through libpng.
  bool InflateWhole() {
#if OFFLOOP_HAVE_LIBDEFLATE
    const PngContext* c = context_.get();
    const uint64_t bits = BitsPerPixel(info_.png_color_type, info_.bit_depth);
    uint64_t raw_size = 0, widest = 0;
    for (int pass = 0; pass < Passes(); pass++) {
      const PassGeometry g = Pass(c, pass);
      const uint64_t row_bytes = (uint64_t{g.columns} * bits + 7) / 8;
      if (g.rows == 0) continue;
      raw_size += g.rows * (row_bytes + 1);
      if (row_bytes > widest) widest = row_bytes;
    }
    if (raw_size == 0 || raw_size > kMaxWholeInflate) return false;
    // libpng refuses an IDAT longer than this (png_check_chunk_length, at
    // least; a larger user limit only raises it): such files stay its own.
    const uint64_t row_factor = uint64_t{info_.width} * (bits / info_.bit_depth) * (info_.bit_depth > 8 ? 2 : 1) + 1 +
                                (info_.progressive ? 6 : 0);
    uint64_t chunk_limit = uint64_t{info_.height} * row_factor;
    chunk_limit += 6 + 5 * (chunk_limit / (row_factor > 32566 ? 32566 : row_factor) + 1);
    if (chunk_limit > 0x7FFFFFFF) chunk_limit = 0x7FFFFFFF;
    uint64_t idat_bytes = 0;
    uint32_t chunks = 0;
    bool too_long = false;
    const uint8_t* first = nullptr;
    ForEachIdat(data_, size_, layout_.first_idat, [&](const uint8_t* bytes, size_t available, uint32_t length) {
      if (length > chunk_limit) return !(too_long = true);
      if (first == nullptr && available > 0) first = bytes;  // the stream's first byte, past empty IDATs
      idat_bytes += available;
      chunks++;
      return true;
    });
    // A window smaller than 32 KiB is zlib's to enforce (libdeflate ignores it).
    if (too_long || idat_bytes < 2 || (first[0] >> 4) != 7 || raw_size > idat_bytes * kMaxDeflateRatio) return false;
    std::unique_ptr<uint8_t[]> joined;
    const uint8_t* input = first;
    if (chunks > 1) {
      joined.reset(new (std::nothrow) uint8_t[idat_bytes]);
      if (!joined) return false;
      size_t at = 0;
      ForEachIdat(data_, size_, layout_.first_idat, [&](const uint8_t* bytes, size_t available, uint32_t) {
        std::memcpy(joined.get() + at, bytes, available);
        at += available;
        return true;
      });
      input = joined.get();
    }
    raw_ = AllocateScratch(options_.scratch, static_cast<size_t>(raw_size), &raw_owner_);
    zeros_.reset(new (std::nothrow) uint8_t[widest + 1]());
    if (raw_ != nullptr && !TouchPages(raw_, raw_size)) {
      ReleaseRaw();
      return false;  // cancelled
    }
    libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
    size_t produced = 0;
    const libdeflate_result result =
        raw_ != nullptr && zeros_ && inflater != nullptr
            ? libdeflate_zlib_decompress(inflater, input, idat_bytes, raw_, raw_size, &produced)
            : LIBDEFLATE_BAD_DATA;
    if (inflater != nullptr) libdeflate_free_decompressor(inflater);
    bool usable = result == LIBDEFLATE_SUCCESS && produced == raw_size;
    size_t at = 0;
    for (int pass = 0; usable && pass < Passes(); pass++) {
      const PassGeometry g = Pass(c, pass);
      const size_t row_bytes = static_cast<size_t>((uint64_t{g.columns} * bits + 7) / 8);
      for (uint32_t y = 0; usable && y < g.rows; y++, at += row_bytes + 1) usable = raw_[at] <= 4;
    }
    if (!usable) {
      ReleaseRaw();
      return false;
    }
    bytes_per_pixel_ = bits >= 8 ? static_cast<size_t>(bits / 8) : 1;
    bits_per_pixel_ = bits;
    g_whole_inflates.fetch_add(1, std::memory_order_relaxed);
    return true;
#else
    return false;
#endif
  }

  void ReleaseRaw() {
    raw_ = nullptr;
    raw_owner_.reset();
    zeros_.reset();
  }

  // Writes to every page of `bytes` (the kernel maps it then), 4 MiB at a
  // time; false if a cancellation came between two pieces.
  bool TouchPages(uint8_t* bytes, size_t size) const {
    constexpr size_t kPiece = size_t{4} << 20;
    constexpr size_t kPage = 4096;  // the smallest page any platform has
    for (size_t at = 0; at < size; at += kPiece) {
      if (Cancelled()) return false;
      const size_t end = size - at < kPiece ? size : at + kPiece;
      for (size_t i = at; i < end; i += kPage) static_cast<volatile uint8_t*>(bytes)[i] = 0;
    }
    return true;
  }

  // Unfilters and converts raw_'s rows until `goal` rows are done.
  void StepWhole(uint64_t goal) {
    PngContext* c = context_.get();
    while (c->rows_done < goal && c->rows_done < c->rows_total && pass_ < Passes()) {
      const PassGeometry g = Pass(c, pass_);
      if (pass_row_ >= g.rows) {
        pass_++;
        pass_row_ = 0;
        continue;
      }
      const size_t row_bytes = static_cast<size_t>((uint64_t{g.columns} * bits_per_pixel_ + 7) / 8);
      uint8_t* row = raw_ + raw_at_;
      const uint8_t* prior = pass_row_ == 0 ? zeros_.get() : row - row_bytes;
      UnfilterRow(row[0], row + 1, prior, row_bytes, bytes_per_pixel_);
      const size_t y = g.y0 + size_t{pass_row_} * g.dy;
      ConvertRow(c, row + 1, g.columns, c->target + y * c->stride, g.x0, g.dx);
      raw_at_ += row_bytes + 1;
      pass_row_++;
      c->rows_done++;
    }
    if (c->rows_done >= c->rows_total) {
      finished_ = true;
      ReleaseRaw();  // the rows are converted: give the memory back before the caller encodes
    }
  }

  int Passes() const { return info_.progressive ? 7 : 1; }
  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed); }

  // Cold path, for a zlib stream that ends before the rows do. Pillow accepts
  // that only when the stream stops exactly after a whole row (its inflate
  // loop sees Z_STREAM_END as it completes a row); mid-row it waits for data
  // that never comes and reports the file truncated. libpng does not say
  // where the stream ended, so inflate the IDAT data again and look.
  bool StreamEndsOnRowBoundary() const {
    const uint64_t bits = BitsPerPixel(info_.png_color_type, info_.bit_depth);
    z_stream z;
    std::memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return false;
    uint8_t scratch[16384];
    int ret = Z_OK;
    ForEachIdat(data_, size_, layout_.first_idat, [&](const uint8_t* bytes, size_t available, uint32_t length) {
      z.next_in = const_cast<Bytef*>(bytes);
      z.avail_in = static_cast<uInt>(available);
      while (ret == Z_OK && z.avail_in > 0) {
        z.next_out = scratch;
        z.avail_out = sizeof scratch;
        ret = inflate(&z, Z_NO_FLUSH);
        if (ret == Z_BUF_ERROR) ret = Z_OK;
      }
      return ret == Z_OK && available == length;
    });
    const uint64_t total = z.total_out;
    inflateEnd(&z);
    if (ret != Z_STREAM_END) return false;
    uint64_t offset = 0;
    for (int pass = 0; pass < (info_.progressive ? 7 : 1); pass++) {
      uint64_t x0 = info_.progressive ? kPassX[pass] : 0, dx = info_.progressive ? kPassDx[pass] : 1;
      uint64_t y0 = info_.progressive ? kPassY[pass] : 0, dy = info_.progressive ? kPassDy[pass] : 1;
      uint64_t cols = info_.width > x0 ? (info_.width - x0 + dx - 1) / dx : 0;
      uint64_t rows = info_.height > y0 ? (info_.height - y0 + dy - 1) / dy : 0;
      if (cols == 0) continue;
      uint64_t row_bytes = 1 + (cols * bits + 7) / 8;
      if (total >= offset && total < offset + rows * row_bytes) return (total - offset) % row_bytes == 0;
      offset += rows * row_bytes;
    }
    return false;
  }

  Status Fail() { return Fail(Status::Error(context_->code, "%s", context_->message)); }
  Status Fail(Status status) {
    status_ = status;
    return status_;
  }

  const uint8_t* data_;
  size_t size_;
  DecodeOptions options_;
  std::unique_ptr<PngContext> context_;
  PngLayout layout_;
  size_t fed_ = 0;
  Status status_;
  bool started_ = false;
  bool finished_ = false;
  // The whole-inflate path: the raw rows, a zero row above each pass's
  // first, and where Step is.
  bool whole_ = false;
  uint8_t* raw_ = nullptr;
  std::shared_ptr<void> raw_owner_;
  std::unique_ptr<uint8_t[]> zeros_;
  size_t raw_at_ = 0;
  int pass_ = 0;
  uint32_t pass_row_ = 0;
  size_t bytes_per_pixel_ = 1;
  uint64_t bits_per_pixel_ = 8;
};

}  // namespace

const char* PngLibraryVersion() { return PNG_LIBPNG_VER_STRING; }
const char* ZlibVersion() { return zlibVersion(); }
const void* PngLibrarySymbol() { return reinterpret_cast<const void*>(&png_access_version_number); }
const void* ZlibSymbol() { return reinterpret_cast<const void*>(&zlibVersion); }
#if OFFLOOP_HAVE_LIBDEFLATE
bool PngInflatesWhole() { return true; }
#else
bool PngInflatesWhole() { return false; }
#endif
uint64_t PngWholeInflates() { return g_whole_inflates.load(std::memory_order_relaxed); }

Status OpenPngGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                          std::unique_ptr<GrayDecoder>* decoder) noexcept {
  return OpenFormatDecoder<PngGrayDecoder>(data, size, options, decoder);
}

}  // namespace offloop::codecs
