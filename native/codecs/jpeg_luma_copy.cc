// Why the chroma goes to a reused row (measured on an 8.7 MP 4:4:4 photo with
// libjpeg-turbo 2.1.5, `perf stat`): jpeg_read_coefficients allocates a
// pre-zeroed whole-image coefficient array for every component, 128 bytes a
// block. For a 3-component file that is 3x the luma's memory, all of it fresh
// pages that libjpeg zeroes row by row as the decoder reaches them: 14,700
// page faults and 39% of the CPU time in memset, 280 ms of CPU for the read
// where decoding the same file to gray takes 70 ms. libjpeg's memory manager
// is a table of methods in the public jpeglib.h: wrapping its
// request/access_virt_barray gives the chroma components of a sequential
// file one row of blocks each, written over again for every MCU row (the
// Huffman and arithmetic decoders of sequential scans only write blocks,
// never read them), and the read costs what the entropy decoding costs.
#include "jpeg_luma_copy.h"

#include <new>

#include <jerror.h>

#include "detect.h"
#include "jpeg_reader.h"
#include "jpeg_writer.h"

namespace offloop::codecs {

// A chroma component's stand-in for a whole-image array: the rows libjpeg
// may ask for at once, reused for every MCU row.
struct DroppedArray {
  JBLOCKARRAY rows;
  JDIMENSION max_rows;
};

struct LumaCopyContext {
  JpegReader reader;
  JpegEncodeContext writer;
  jvirt_barray_ptr (*request_array)(j_common_ptr, int, boolean, JDIMENSION, JDIMENSION,
                                    JDIMENSION) = nullptr;
  JBLOCKARRAY (*access_array)(j_common_ptr, jvirt_barray_ptr, JDIMENSION, JDIMENSION,
                              boolean) = nullptr;
  int requests = 0;
  DroppedArray* dropped[MAX_COMPONENTS] = {};
  int dropped_count = 0;
  jvirt_barray_ptr* arrays = nullptr;
};

namespace {

LumaCopyContext* ContextOf(j_common_ptr cinfo) { return static_cast<LumaCopyContext*>(cinfo->client_data); }

// libjpeg asks for one array per component, in component order (jdcoefct.c's
// jinit_d_coef_controller): the first, the luma, is a real one.
jvirt_barray_ptr RequestArray(j_common_ptr cinfo, int pool, boolean pre_zero, JDIMENSION blocks_per_row,
                              JDIMENSION rows, JDIMENSION max_access) {
  LumaCopyContext* c = ContextOf(cinfo);
  if (c->requests++ == 0 || c->dropped_count >= MAX_COMPONENTS) {
    return c->request_array(cinfo, pool, pre_zero, blocks_per_row, rows, max_access);
  }
  auto* dropped = static_cast<DroppedArray*>((*cinfo->mem->alloc_small)(cinfo, JPOOL_IMAGE, sizeof(DroppedArray)));
  dropped->rows = (*cinfo->mem->alloc_barray)(cinfo, JPOOL_IMAGE, blocks_per_row, max_access);
  dropped->max_rows = max_access;
  c->dropped[c->dropped_count++] = dropped;
  return reinterpret_cast<jvirt_barray_ptr>(dropped);
}

JBLOCKARRAY AccessArray(j_common_ptr cinfo, jvirt_barray_ptr array, JDIMENSION start_row, JDIMENSION rows,
                        boolean writable) {
  LumaCopyContext* c = ContextOf(cinfo);
  for (int i = 0; i < c->dropped_count; i++) {
    if (reinterpret_cast<void*>(c->dropped[i]) != reinterpret_cast<void*>(array)) continue;
    if (rows > c->dropped[i]->max_rows) ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    return c->dropped[i]->rows;
  }
  return c->access_array(cinfo, array, start_row, rows, writable);
}

// ---- the only frames with a setjmp (with jpeg_reader.cc's and jpeg_encode.cc's)

bool CallReadCoefficients(LumaCopyContext* c, bool* complete) {
  if (setjmp(c->reader.error.jump)) return false;
  c->arrays = jpeg_read_coefficients(&c->reader.cinfo);
  *complete = c->arrays != nullptr;
  return true;
}

bool CallWriteLuma(LumaCopyContext* c) {
  if (setjmp(c->writer.error.jump)) return false;
  jpeg_compress_struct& out = c->writer.cinfo;
  jpeg_copy_critical_parameters(&c->reader.cinfo, &out);
  // As jpegtran -grayscale (transupp.c): one component, the luma's table.
  const int table = out.comp_info[0].quant_tbl_no;
  jpeg_set_colorspace(&out, JCS_GRAYSCALE);
  out.comp_info[0].quant_tbl_no = table;
  out.optimize_coding = TRUE;
  jpeg_write_coefficients(&out, c->arrays);
  jpeg_finish_compress(&out);
  return true;
}

}  // namespace

JpegLumaCopy::JpegLumaCopy() = default;

JpegLumaCopy::~JpegLumaCopy() {
  if (!context_) return;
  // The output's arrays are the input's: the writer goes first.
  DestroyJpegWriter(&context_->writer);
  DestroyJpegReader(&context_->reader);
}

Status JpegLumaCopy::Fail(Status status) {
  status_ = status;
  return status_;
}

Status JpegLumaCopy::Open(const uint8_t* data, size_t size, const LumaCopyOptions& options) noexcept {
  if (!status_.ok()) return status_;
  if (stage_ != 0 || data == nullptr || size == 0) {
    return Status::Error(ErrorCode::kInvalidArgument, size == 0 ? "empty input" : "bad Open");
  }
  if (DetectFormat(data, size) != ImageFormat::kJpeg) {
    return Fail(Status::Error(ErrorCode::kUnsupported, "not a JPEG: only a JPEG's luma can be copied"));
  }
  context_.reset(new (std::nothrow) LumaCopyContext());
  if (!context_) return Fail(Status::Error(ErrorCode::kOutOfMemory, "out of memory"));
  LumaCopyContext* c = context_.get();
  if (!CallCreateReader(&c->reader, data, size, options.max_jpeg_scans, options.cancel)) {
    return Fail(JpegReaderFailure(c->reader));
  }
  int header = 0;
  if (!CallReadHeader(&c->reader, &header)) return Fail(JpegReaderFailure(c->reader));
  if (header != JPEG_HEADER_OK) {
    return Fail(Status::Error(ErrorCode::kTruncated, "JPEG data ends before the image header is complete"));
  }
  jpeg_decompress_struct& cinfo = c->reader.cinfo;
  const bool luma = (cinfo.num_components == 1 && cinfo.jpeg_color_space == JCS_GRAYSCALE) ||
                    (cinfo.num_components == 3 && cinfo.jpeg_color_space == JCS_YCbCr);
  if (!luma || cinfo.data_precision != 8) {
    return Fail(Status::Error(ErrorCode::kUnsupported,
                              "a %d-bit JPEG of %d components not in YCbCr or gray has no luma to copy",
                              cinfo.data_precision, cinfo.num_components));
  }
  Status limit = CheckPixelLimit(cinfo.image_width, cinfo.image_height, options.max_pixels);
  if (!limit.ok()) return Fail(limit);
  width_ = cinfo.image_width;
  height_ = cinfo.image_height;
  if (!CallCreateWriter(&c->writer, nullptr, options.cancel)) return Fail(JpegWriterFailure(c->writer));
  if (!cinfo.progressive_mode && cinfo.num_components > 1) {
    c->request_array = cinfo.mem->request_virt_barray;
    c->access_array = cinfo.mem->access_virt_barray;
    cinfo.client_data = c;
    cinfo.mem->request_virt_barray = RequestArray;
    cinfo.mem->access_virt_barray = AccessArray;
  }
  stage_ = 1;
  return Status::Ok();
}

Status JpegLumaCopy::Read() noexcept {
  if (!status_.ok()) return status_;
  if (stage_ != 1) return Status::Error(ErrorCode::kInvalidArgument, "Read before Open or twice");
  LumaCopyContext* c = context_.get();
  bool complete = false;
  if (!CallReadCoefficients(c, &complete)) return Fail(JpegReaderFailure(c->reader));
  if (!complete) return Fail(Status::Error(ErrorCode::kTruncated, "JPEG data ends before its end marker"));
  const jpeg_decompress_struct& cinfo = c->reader.cinfo;
  if (cinfo.progressive_mode) {
    for (int k = 0; k < DCTSIZE2; k++) {
      if (cinfo.coef_bits[0][k] != 0) {
        return Fail(Status::Error(ErrorCode::kUnsupported,
                                  "progressive JPEG whose luma scans leave coefficient %d incomplete", k));
      }
    }
  }
  stage_ = 2;
  return Status::Ok();
}

Status JpegLumaCopy::Write(OutputBuffer* out) noexcept {
  if (!status_.ok()) return status_;
  if (stage_ != 2 || out == nullptr) return Status::Error(ErrorCode::kInvalidArgument, "Write before Read");
  LumaCopyContext* c = context_.get();
  c->writer.destination.out = out;
  if (!CallWriteLuma(c)) return Fail(JpegWriterFailure(c->writer));
  stage_ = 3;
  return Status::Ok();
}

}  // namespace offloop::codecs
