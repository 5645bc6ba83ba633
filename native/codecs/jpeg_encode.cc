// Same discipline as jpeg_decode.cc: libjpeg's error exit longjmps into the
// small Call* functions, whose frames own nothing with a destructor; all
// libjpeg state is in a plain heap struct; the destination callbacks grow the
// output with realloc and report failure through libjpeg's error exit.
#include "jpeg_encode.h"

#include <csetjmp>
#include <cstdio>
#include <new>

#include <jpeglib.h>
#include <jerror.h>

namespace offloop::codecs {

struct JpegEncodeContext {
  jpeg_compress_struct cinfo;
  struct Error {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    ErrorCode code;
    char message[JMSG_LENGTH_MAX];
  } error;
  struct Destination {
    jpeg_destination_mgr pub;
    OutputBuffer* out;
  } destination;
  bool created = false;
};

namespace {

using Context = JpegEncodeContext;

void OnError(j_common_ptr cinfo) {
  auto* error = reinterpret_cast<Context::Error*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  error->code = cinfo->err->msg_code == JERR_OUT_OF_MEMORY ? ErrorCode::kOutOfMemory
                : cinfo->err->msg_code == JERR_IMAGE_TOO_BIG ? ErrorCode::kTooLarge
                                                              : ErrorCode::kInternal;
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

// ---- the only frames with a setjmp

bool CallStart(Context* c, uint32_t width, uint32_t height, int quality, OutputBuffer* out) {
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

JpegGrayEncoder::JpegGrayEncoder() = default;

JpegGrayEncoder::~JpegGrayEncoder() {
  if (context_ && context_->created) jpeg_destroy_compress(&context_->cinfo);
}

Status JpegGrayEncoder::Fail() {
  status_ = Status::Error(context_->error.code, "%s", context_->error.message);
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
  if (!CallStart(context_.get(), width, height, options.quality, out)) return Fail();
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
