// Same discipline as png_decode.cc: libpng's error callback longjmps into the
// small Call* functions, whose frames own nothing with a destructor; libpng's
// state is in a plain heap struct; the write callback appends to the output
// with realloc and reports failure through png_error.
#include "png_encode.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>

#include <png.h>

namespace offloop::codecs {

struct PngEncodeContext {
  std::jmp_buf jump;
  ErrorCode code = ErrorCode::kInternal;
  char message[160] = {};
  png_structp png = nullptr;
  png_infop info = nullptr;
  OutputBuffer* out = nullptr;
};

namespace {

using Context = PngEncodeContext;

void OnError(png_structp png, png_const_charp message) {
  Context* c = static_cast<Context*>(png_get_error_ptr(png));
  std::snprintf(c->message, sizeof c->message, "PNG: %s", message != nullptr ? message : "error");
  c->code = std::strstr(c->message, "memory") != nullptr ? ErrorCode::kOutOfMemory : ErrorCode::kInternal;
  std::longjmp(c->jump, 1);
}

void OnWarning(png_structp, png_const_charp) {}

void OnWrite(png_structp png, png_bytep bytes, size_t count) {
  Context* c = static_cast<Context*>(png_get_io_ptr(png));
  if (!c->out->Append(bytes, count)) png_error(png, "out of memory for the encoded PNG");
}

void OnFlush(png_structp) {}

// ---- the only frames with a setjmp

bool CallStart(Context* c, uint32_t width, uint32_t height, int level) {
  if (setjmp(c->jump)) return false;
  c->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, OnError, OnWarning);
  if (c->png == nullptr) {
    c->code = ErrorCode::kOutOfMemory;
    std::snprintf(c->message, sizeof c->message, "PNG: cannot create a writer (out of memory)");
    return false;
  }
  c->info = png_create_info_struct(c->png);
  if (c->info == nullptr) {
    c->code = ErrorCode::kOutOfMemory;
    std::snprintf(c->message, sizeof c->message, "PNG: cannot create a writer (out of memory)");
    return false;
  }
  png_set_write_fn(c->png, c, OnWrite, OnFlush);
  png_set_compression_level(c->png, level);
  png_set_IHDR(c->png, c->info, width, height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(c->png, c->info);
  return true;
}

bool CallWrite(Context* c, const uint8_t* rows, size_t stride, uint32_t count) {
  if (setjmp(c->jump)) return false;
  for (uint32_t i = 0; i < count; i++) png_write_row(c->png, rows + i * stride);
  return true;
}

bool CallFinish(Context* c) {
  if (setjmp(c->jump)) return false;
  png_write_end(c->png, nullptr);
  return true;
}

}  // namespace

PngGrayEncoder::PngGrayEncoder() = default;

PngGrayEncoder::~PngGrayEncoder() {
  if (context_ && context_->png != nullptr) {
    png_destroy_write_struct(&context_->png, context_->info != nullptr ? &context_->info : nullptr);
  }
}

Status PngGrayEncoder::Fail() {
  status_ = Status::Error(context_->code, "%s", context_->message);
  return status_;
}

Status PngGrayEncoder::Start(uint32_t width, uint32_t height, const PngEncodeOptions& options,
                             OutputBuffer* out) noexcept {
  if (!status_.ok()) return status_;
  if (rows_.started() || out == nullptr) return Status::Error(ErrorCode::kInvalidArgument, "bad Start");
  if (options.compression_level < 0 || options.compression_level > 9) {
    return Status::Error(ErrorCode::kInvalidArgument, "PNG compression level %d is not in 0..9",
                         options.compression_level);
  }
  if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) {
    return status_ = Status::Error(ErrorCode::kInvalidArgument, "a PNG cannot be %ux%u", width, height);
  }
  context_.reset(new (std::nothrow) PngEncodeContext());
  if (!context_) return status_ = Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  context_->out = out;
  rows_.Begin(width, height);
  if (!CallStart(context_.get(), width, height, options.compression_level)) return Fail();
  return Status::Ok();
}

Status PngGrayEncoder::WriteRows(const uint8_t* rows, size_t stride, uint32_t count) noexcept {
  if (!status_.ok()) return status_;
  if (Status misuse = rows_.CheckWrite(rows, stride, count); !misuse.ok()) return misuse;
  if (!CallWrite(context_.get(), rows, stride, count)) return Fail();
  rows_.Wrote(count);
  return Status::Ok();
}

Status PngGrayEncoder::Finish() noexcept {
  if (!status_.ok()) return status_;
  if (Status misuse = rows_.CheckFinish(); !misuse.ok()) return misuse;
  if (!CallFinish(context_.get())) return Fail();
  return Status::Ok();
}

Status EncodeGrayPng(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                     const PngEncodeOptions& options, OutputBuffer* out) noexcept {
  PngGrayEncoder encoder;
  Status status = encoder.Start(width, height, options, out);
  if (status.ok()) status = encoder.WriteRows(pixels, stride, height);
  if (status.ok()) status = encoder.Finish();
  return status;
}

}  // namespace offloop::codecs
