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

#include <cstring>
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

// The luma's whole-image array in the caller's storage: rows are zeroed as
// the decoder first reaches them (libjpeg's pre-zeroing, done the same way).
struct LumaArray {
  JBLOCKROW* rows;
  JDIMENSION count;
  JDIMENSION defined;
  size_t row_bytes;
};

using AccessFunction = JBLOCKARRAY (*)(j_common_ptr, jvirt_barray_ptr, JDIMENSION, JDIMENSION, boolean);

struct LumaCopyContext {
  JpegReader reader;
  JpegEncodeContext writer;
  jvirt_barray_ptr (*request_array)(j_common_ptr, int, boolean, JDIMENSION, JDIMENSION, JDIMENSION) = nullptr;
  AccessFunction access_array = nullptr;         // the reader's own
  AccessFunction writer_access_array = nullptr;  // the writer's own
  bool drop_chroma = false;
  uint8_t* storage = nullptr;  // for the luma array, or null: libjpeg's memory
  size_t storage_bytes = 0;
  LumaArray* luma = nullptr;
  bool standard_tables = false;  // set by Read
  int requests = 0;
  DroppedArray* dropped[MAX_COMPONENTS] = {};
  int dropped_count = 0;
  jvirt_barray_ptr* arrays = nullptr;
};

namespace {

LumaCopyContext* ContextOf(j_common_ptr cinfo) { return static_cast<LumaCopyContext*>(cinfo->client_data); }

// libjpeg asks for one array per component, in component order (jdcoefct.c's
// jinit_d_coef_controller): the first is the luma's.
jvirt_barray_ptr RequestArray(j_common_ptr cinfo, int pool, boolean pre_zero, JDIMENSION blocks_per_row,
                              JDIMENSION rows, JDIMENSION max_access) {
  LumaCopyContext* c = ContextOf(cinfo);
  if (c->requests++ == 0) {
    const size_t row_bytes = size_t{blocks_per_row} * sizeof(JBLOCK);
    if (c->storage == nullptr || rows == 0 || c->storage_bytes / rows < row_bytes) {
      return c->request_array(cinfo, pool, pre_zero, blocks_per_row, rows, max_access);
    }
    auto* luma = static_cast<LumaArray*>((*cinfo->mem->alloc_small)(cinfo, JPOOL_IMAGE, sizeof(LumaArray)));
    luma->rows = static_cast<JBLOCKROW*>((*cinfo->mem->alloc_large)(cinfo, JPOOL_IMAGE, sizeof(JBLOCKROW) * rows));
    for (JDIMENSION i = 0; i < rows; i++) luma->rows[i] = reinterpret_cast<JBLOCKROW>(c->storage + i * row_bytes);
    luma->count = rows;
    luma->defined = 0;
    luma->row_bytes = row_bytes;
    c->luma = luma;
    return reinterpret_cast<jvirt_barray_ptr>(luma);
  }
  if (!c->drop_chroma || c->dropped_count >= MAX_COMPONENTS) {
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
  if (c->luma != nullptr && reinterpret_cast<void*>(c->luma) == reinterpret_cast<void*>(array)) {
    LumaArray* luma = c->luma;
    if (start_row > luma->count || rows > luma->count - start_row) ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    for (; luma->defined < start_row + rows; luma->defined++)
      std::memset(luma->rows[luma->defined], 0, luma->row_bytes);
    return luma->rows + start_row;
  }
  for (int i = 0; i < c->dropped_count; i++) {
    if (reinterpret_cast<void*>(c->dropped[i]) != reinterpret_cast<void*>(array)) continue;
    if (rows > c->dropped[i]->max_rows) ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    return c->dropped[i]->rows;
  }
  return (cinfo->is_decompressor ? c->access_array : c->writer_access_array)(cinfo, array, start_row, rows, writable);
}

// Whether every luma coefficient fits baseline Huffman coding in the order
// the copy writes blocks (one component, row by row, no restarts): AC values
// of at most 10 bits, DC differences of at most 11.
bool LumaInBaselineRange(j_decompress_ptr cinfo, jvirt_barray_ptr luma) {
  const jpeg_component_info& y = cinfo->comp_info[0];
  int previous_dc = 0;
  for (JDIMENSION row = 0; row < y.height_in_blocks; row++) {
    JBLOCKARRAY rows = (*cinfo->mem->access_virt_barray)(reinterpret_cast<j_common_ptr>(cinfo), luma, row, 1, FALSE);
    const JBLOCKROW blocks = rows[0];
    int worst = 0;
    for (JDIMENSION x = 0; x < y.width_in_blocks; x++) {
      const JCOEF* block = blocks[x];
      const int dc = block[0] - previous_dc;
      previous_dc = block[0];
      if (dc > 2047 || dc < -2047) return false;
      for (int k = 1; k < DCTSIZE2; k++) worst |= (block[k] > 1023) | (block[k] < -1023);
    }
    if (worst != 0) return false;
  }
  return true;
}

// ---- the only frames with a setjmp (with jpeg_reader.cc's and jpeg_encode.cc's)

bool CallCheckRange(LumaCopyContext* c, bool* in_range) {
  if (setjmp(c->reader.error.jump)) return false;
  *in_range = LumaInBaselineRange(&c->reader.cinfo, c->arrays[0]);
  return true;
}

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
  // libjpeg's standard tables code every symbol of a block whose
  // coefficients are in baseline range (checked by Read); libjpeg-turbo's
  // SIMD Huffman encoder itself does not check, and would write a broken
  // file for out-of-range coefficients of a damaged input. Optimized tables
  // made 9 MP wallpapers' copies 17% smaller, but their statistics pass made
  // the copy 1.5x slower; files that are slow to read anyway get them.
  out.optimize_coding = c->standard_tables ? FALSE : TRUE;
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
  // A luma sampled below the frame's maximum has fewer blocks than a gray
  // image of the same size (jpegtran refuses it too).
  const bool full_luma = cinfo.comp_info[0].h_samp_factor == cinfo.max_h_samp_factor &&
                         cinfo.comp_info[0].v_samp_factor == cinfo.max_v_samp_factor;
  if (luma && !full_luma) {
    return Fail(Status::Error(ErrorCode::kUnsupported, "a JPEG whose luma is subsampled (%dx%d of %dx%d)",
                              cinfo.comp_info[0].h_samp_factor, cinfo.comp_info[0].v_samp_factor,
                              cinfo.max_h_samp_factor, cinfo.max_v_samp_factor));
  }
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
  c->drop_chroma = !cinfo.progressive_mode && cinfo.num_components > 1;
  c->request_array = cinfo.mem->request_virt_barray;
  c->access_array = cinfo.mem->access_virt_barray;
  cinfo.client_data = c;
  cinfo.mem->request_virt_barray = RequestArray;
  cinfo.mem->access_virt_barray = AccessArray;
  jpeg_compress_struct& out = c->writer.cinfo;
  c->writer_access_array = out.mem->access_virt_barray;
  out.client_data = c;
  out.mem->access_virt_barray = AccessArray;
  // The luma array as jdcoefct.c sizes it: padded to whole MCUs.
  const jpeg_component_info& y = cinfo.comp_info[0];
  const size_t blocks_per_row = (y.width_in_blocks + y.h_samp_factor - 1) / y.h_samp_factor * y.h_samp_factor;
  const size_t block_rows = (y.height_in_blocks + y.v_samp_factor - 1) / y.v_samp_factor * y.v_samp_factor;
  coefficient_bytes_ = blocks_per_row * block_rows * sizeof(JBLOCK);
  stage_ = 1;
  return Status::Ok();
}

Status JpegLumaCopy::Read(void* storage, size_t storage_bytes) noexcept {
  if (!status_.ok()) return status_;
  if (stage_ != 1) return Status::Error(ErrorCode::kInvalidArgument, "Read before Open or twice");
  LumaCopyContext* c = context_.get();
  c->storage = static_cast<uint8_t*>(storage);
  c->storage_bytes = storage_bytes;
  bool complete = false;
  if (!CallReadCoefficients(c, &complete)) return Fail(JpegReaderFailure(c->reader));
  if (!complete) return Fail(Status::Error(ErrorCode::kTruncated, "JPEG data ends before its end marker"));
  const jpeg_decompress_struct& cinfo = c->reader.cinfo;
  // A one-scan Huffman file (the usual kind) gets standard tables, which
  // needs the range check; the optimizing pass checks ranges itself.
  c->standard_tables = !cinfo.progressive_mode && !cinfo.arith_code && cinfo.input_scan_number == 1;
  if (c->standard_tables) {
    bool in_range = false;
    if (!CallCheckRange(c, &in_range)) return Fail(JpegReaderFailure(c->reader));
    if (!in_range) {
      return Fail(Status::Error(ErrorCode::kCorrupt, "luma coefficients out of baseline range (damaged data)"));
    }
  }
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
