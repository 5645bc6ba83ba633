#include "jpeg_reader.h"

#include <jerror.h>

namespace offloop::codecs {

namespace {

void OnError(j_common_ptr cinfo) {
  JpegError* error = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  error->code = ClassifyJpegError(cinfo->err->msg_code);
  std::longjmp(error->jump, 1);
}

void OnOutputMessage(j_common_ptr) {}  // Pillow prints nothing; warnings are counted

// A suspending source over the whole input, as Pillow's: when libjpeg wants
// bytes past the end it is told "none yet" and suspends, which the caller
// reads as "truncated" (no more bytes will ever come).
void SourceInit(j_decompress_ptr) {}
boolean SourceFill(j_decompress_ptr) { return FALSE; }
void SourceSkip(j_decompress_ptr cinfo, long count) {
  jpeg_source_mgr* src = cinfo->src;
  if (count <= 0) return;
  if (static_cast<unsigned long>(count) > src->bytes_in_buffer) {
    src->next_input_byte += src->bytes_in_buffer;
    src->bytes_in_buffer = 0;
  } else {
    src->next_input_byte += count;
    src->bytes_in_buffer -= static_cast<size_t>(count);
  }
}
void SourceTerm(j_decompress_ptr) {}

void OnProgress(j_common_ptr cinfo) {
  JpegProgress* progress = reinterpret_cast<JpegProgress*>(cinfo->progress);
  JpegError* error = reinterpret_cast<JpegError*>(cinfo->err);
  if (progress->cancel != nullptr && progress->cancel->load(std::memory_order_relaxed)) {
    error->code = ErrorCode::kCancelled;
    std::snprintf(error->message, sizeof error->message, "cancelled");
    std::longjmp(error->jump, 1);
  }
  if (cinfo->is_decompressor) {
    j_decompress_ptr d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (progress->max_scans > 0 && d->input_scan_number > progress->max_scans) {
      error->code = ErrorCode::kTooLarge;
      std::snprintf(error->message, sizeof error->message, "JPEG has more than %d scans", progress->max_scans);
      std::longjmp(error->jump, 1);
    }
  }
}

}  // namespace

ErrorCode ClassifyJpegError(int msg_code) {
  switch (msg_code) {
    case JERR_OUT_OF_MEMORY:
      return ErrorCode::kOutOfMemory;
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
    case JERR_NO_BACKING_STORE:  // libjpeg's memory limit was reached
      return ErrorCode::kTooLarge;
    case JERR_BAD_PRECISION:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_NO_ARITH_TABLE:
    case JERR_ARITH_NOTIMPL:
    case JERR_COMPONENT_COUNT:
      return ErrorCode::kUnsupported;
    default:
      return ErrorCode::kCorrupt;
  }
}

bool CallCreateReader(JpegReader* r, const uint8_t* data, size_t size, int max_scans, const std::atomic<bool>* cancel) {
  r->cinfo.err = jpeg_std_error(&r->error.pub);
  r->error.pub.error_exit = OnError;
  r->error.pub.output_message = OnOutputMessage;
  if (setjmp(r->error.jump)) return false;
  // Safe to destroy even if creation fails half-way (create zeroes the
  // struct first, and destroy frees only what was allocated).
  r->created = true;
  jpeg_create_decompress(&r->cinfo);
  r->source.init_source = SourceInit;
  r->source.fill_input_buffer = SourceFill;
  r->source.skip_input_data = SourceSkip;
  r->source.resync_to_restart = jpeg_resync_to_restart;
  r->source.term_source = SourceTerm;
  r->source.next_input_byte = data;
  r->source.bytes_in_buffer = size;
  r->cinfo.src = &r->source;
  r->progress.pub.progress_monitor = OnProgress;
  r->progress.max_scans = max_scans;
  r->progress.cancel = cancel;
  r->cinfo.progress = &r->progress.pub;
  return true;
}

bool CallReadHeader(JpegReader* r, int* result) {
  if (setjmp(r->error.jump)) return false;
  int value;
  do {
    value = jpeg_read_header(&r->cinfo, FALSE);
  } while (value == JPEG_HEADER_TABLES_ONLY);
  *result = value;
  return true;
}

Status JpegReaderFailure(const JpegReader& r) { return Status::Error(r.error.code, "%s", r.error.message); }

void DestroyJpegReader(JpegReader* r) {
  if (r->created) jpeg_destroy_decompress(&r->cinfo);
  r->created = false;
}

}  // namespace offloop::codecs
