// Same discipline as jpeg_reader.h: libjpeg's error exit longjmps into the
// small Call* functions, whose frames own nothing with a destructor; all
// libjpeg state is in a plain heap struct (jpeg_writer.h); the destination
// callbacks grow the output with realloc and report failure through
// libjpeg's error exit.
#include "jpeg_encode.h"

#include <csetjmp>
#include <cstdio>
#include <new>

#include <jerror.h>

#include "jpeg_writer.h"

namespace offloop::codecs {

namespace {

using Context = JpegEncodeContext;

void OnError(j_common_ptr cinfo) {
  auto* error = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  switch (cinfo->err->msg_code) {
    case JERR_OUT_OF_MEMORY:
      error->code = ErrorCode::kOutOfMemory;
      break;
    case JERR_IMAGE_TOO_BIG:
      error->code = ErrorCode::kTooLarge;
      break;
    // Only copied coefficients or tables (jpeg_luma_copy.cc) can be bad:
    // damaged input.
    case JERR_BAD_DCT_COEF:
    case JERR_BAD_HUFF_TABLE:
      error->code = ErrorCode::kCorrupt;
      break;
    default:
      error->code = ErrorCode::kInternal;
      break;
  }
  std::longjmp(error->jump, 1);
}

void OnOutputMessage(j_common_ptr) {}

constexpr size_t kChunk = 65536;

void DestinationInit(j_compress_ptr cinfo) {
  auto* d = reinterpret_cast<Context::Destination*>(cinfo->dest);
  if (!d->out->Reserve(kChunk)) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
  d->pub.next_output_byte = d->out->free_space();
  d->pub.free_in_buffer = d->out->free_bytes();
}

boolean DestinationEmpty(j_compress_ptr cinfo) {
  // libjpeg filled all the free space it was given.
  auto* d = reinterpret_cast<Context::Destination*>(cinfo->dest);
  d->out->Commit(d->out->free_bytes());
  if (!d->out->Reserve(kChunk)) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 11);
  d->pub.next_output_byte = d->out->free_space();
  d->pub.free_in_buffer = d->out->free_bytes();
  return TRUE;
}

void DestinationTerm(j_compress_ptr cinfo) {
  auto* d = reinterpret_cast<Context::Destination*>(cinfo->dest);
  d->out->Commit(d->out->free_bytes() - d->pub.free_in_buffer);
}

void OnCompressProgress(j_common_ptr cinfo) {
  auto* progress = reinterpret_cast<JpegProgress*>(cinfo->progress);
  if (progress->cancel != nullptr && progress->cancel->load(std::memory_order_relaxed)) {
    auto* error = reinterpret_cast<JpegError*>(cinfo->err);
    error->code = ErrorCode::kCancelled;
    std::snprintf(error->message, sizeof error->message, "cancelled");
    std::longjmp(error->jump, 1);
  }
}

// ---- the only frames with a setjmp (with CallCreateWriter below)

bool CallStart(Context* c, uint32_t width, uint32_t height, int quality) {
  if (setjmp(c->error.jump)) return false;
  c->cinfo.image_width = width;
  c->cinfo.image_height = height;
  c->cinfo.input_components = 1;
  c->cinfo.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&c->cinfo);
  jpeg_set_quality(&c->cinfo, quality, TRUE);
  jpeg_start_compress(&c->cinfo, TRUE);
  return true;
}

bool CallWrite(Context* c, JSAMPARRAY rows, JDIMENSION count) {
  if (setjmp(c->error.jump)) return false;
  JDIMENSION done = 0;
  while (done < count) done += jpeg_write_scanlines(&c->cinfo, rows + done, count - done);
  return true;
}

bool CallFinish(Context* c) {
  if (setjmp(c->error.jump)) return false;
  jpeg_finish_compress(&c->cinfo);
  return true;
}

}  // namespace

bool CallCreateWriter(JpegEncodeContext* c, OutputBuffer* out, const std::atomic<bool>* cancel) {
  c->cinfo.err = jpeg_std_error(&c->error.pub);
  c->error.pub.error_exit = OnError;
  c->error.pub.output_message = OnOutputMessage;
  if (setjmp(c->error.jump)) return false;
  c->created = true;
  jpeg_create_compress(&c->cinfo);
  c->destination.out = out;
  c->destination.pub.init_destination = DestinationInit;
  c->destination.pub.empty_output_buffer = DestinationEmpty;
  c->destination.pub.term_destination = DestinationTerm;
  c->cinfo.dest = &c->destination.pub;
  if (cancel != nullptr) {
    c->progress.pub.progress_monitor = OnCompressProgress;
    c->progress.max_scans = 0;
    c->progress.cancel = cancel;
    c->cinfo.progress = &c->progress.pub;
  }
  return true;
}

Status JpegWriterFailure(const JpegEncodeContext& c) { return Status::Error(c.error.code, "%s", c.error.message); }

void DestroyJpegWriter(JpegEncodeContext* c) {
  if (c->created) jpeg_destroy_compress(&c->cinfo);
  c->created = false;
}

JpegGrayEncoder::JpegGrayEncoder() = default;

JpegGrayEncoder::~JpegGrayEncoder() {
  if (context_) DestroyJpegWriter(context_.get());
}

Status JpegGrayEncoder::Fail() {
  status_ = JpegWriterFailure(*context_);
  return status_;
}

Status JpegGrayEncoder::Start(uint32_t width, uint32_t height, const JpegEncodeOptions& options,
                              OutputBuffer* out) noexcept {
  if (!status_.ok()) return status_;
  if (rows_.started() || out == nullptr) return Status::Error(ErrorCode::kInvalidArgument, "bad Start");
  if (options.quality < 0 || options.quality > 100) {
    return Status::Error(ErrorCode::kInvalidArgument, "JPEG quality %d is not in 0..100", options.quality);
  }
  if (width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
    return status_ = Status::Error(width == 0 || height == 0 ? ErrorCode::kInvalidArgument : ErrorCode::kTooLarge,
                                   "a JPEG cannot be %ux%u (at most %d a side)", width, height,
                                   static_cast<int>(JPEG_MAX_DIMENSION));
  }
  context_.reset(new (std::nothrow) JpegEncodeContext());
  if (!context_) return status_ = Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  rows_.Begin(width, height);
  if (!CallCreateWriter(context_.get(), out, nullptr) || !CallStart(context_.get(), width, height, options.quality)) {
    return Fail();
  }
  return Status::Ok();
}

Status JpegGrayEncoder::WriteRows(const uint8_t* rows, size_t stride, uint32_t count) noexcept {
  if (!status_.ok()) return status_;
  if (Status misuse = rows_.CheckWrite(rows, stride, count); !misuse.ok()) return misuse;
  JSAMPROW pointers[32];
  while (count > 0) {
    uint32_t n = count < 32 ? count : 32;
    for (uint32_t i = 0; i < n; i++) pointers[i] = const_cast<JSAMPROW>(rows + i * stride);
    if (!CallWrite(context_.get(), pointers, n)) return Fail();
    rows += n * stride;
    count -= n;
    rows_.Wrote(n);
  }
  return Status::Ok();
}

Status JpegGrayEncoder::Finish() noexcept {
  if (!status_.ok()) return status_;
  if (Status misuse = rows_.CheckFinish(); !misuse.ok()) return misuse;
  if (!CallFinish(context_.get())) return Fail();
  return Status::Ok();
}

Status EncodeGrayJpeg(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                      const JpegEncodeOptions& options, OutputBuffer* out) noexcept {
  JpegGrayEncoder encoder;
  Status status = encoder.Start(width, height, options, out);
  if (status.ok()) status = encoder.WriteRows(pixels, stride, height);
  if (status.ok()) status = encoder.Finish();
  return status;
}

}  // namespace offloop::codecs
