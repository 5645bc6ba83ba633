// One image file turned gray, as one pool job: read, decode (to gray, band
// by band), orient, encode, write. Everything runs on the pool thread that
// claims the job; between bands it polls for cancellation and counts rows
// for progress. No Node-API: the binding (bindings/files.cc) builds the
// request and turns the result into JS values once the job is done.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "codecs/detect.h"
#include "codecs/gray_decoder.h"
#include "codecs/output_buffer.h"
#include "core/job.h"
#include "core/native_memory.h"
#include "files/file_io.h"

namespace offloop {

enum class FileOutput { kPixels, kEncoded, kFile };
// The numbers are the binding's (lib/ reads them from constants()).
enum class FileFormat { kSame = 0, kJpeg = 1, kPng = 2, kWebp = 3 };
enum class FileMode { kExact = 0, kLuma = 1, kLumaLossless = 2 };

// The public defaults (lib/ reads them from constants()).
constexpr int kDefaultQuality = 75;      // JPEG's (Pillow's)
constexpr int kDefaultWebpQuality = 80;  // WebP's (Pillow's)
constexpr int kDefaultCompressionLevel = 6;
constexpr uint64_t kDefaultMaxInputBytes = uint64_t{1} << 30;  // 1 GiB

struct GrayFileRequest {
  // Either a path to read, or encoded bytes the caller keeps alive.
  std::string input_path;
  const uint8_t* input_bytes = nullptr;
  size_t input_size = 0;
  bool from_path = true;

  FileOutput output = FileOutput::kPixels;
  std::string output_path;  // kFile only
  codecs::GrayMode mode = codecs::GrayMode::kExact;
  // 'luma-lossless': a JPEG written from a JPEG gets the input's own luma
  // coefficients (codecs/jpeg_luma_copy.h); every other file runs as `mode`
  // (kLuma).
  bool luma_copy = false;
  FileFormat format = FileFormat::kSame;
  // 1..100, or 0: the written format's default.
  int quality = 0;
  int compression_level = kDefaultCompressionLevel;
  bool lossless = false;  // WebP
  bool auto_orient = false;
  uint64_t max_pixels = codecs::kDefaultMaxPixels;
  // An input file of more bytes than this is refused before it is read
  // (from its size) or while it is (if it grows). 0: no limit.
  uint64_t max_bytes = kDefaultMaxInputBytes;
  // fsync the output and its folder around the rename.
  bool durable = false;
};

// Milliseconds per stage (0 where a stage did not run).
struct FileTimings {
  double read = 0;
  double decode = 0;
  double orient = 0;
  double encode = 0;
  double write = 0;
};

// A buffer handed to JS when the job settles: offloop's mapped pages for
// large pixel results, else a malloc'd block (free() releases it).
struct ResultBytes {
  std::shared_ptr<memory::Pages> pages;
  uint8_t* heap = nullptr;
  size_t size = 0;

  ResultBytes() = default;
  ResultBytes(const ResultBytes&) = delete;
  ResultBytes& operator=(const ResultBytes&) = delete;
  ~ResultBytes();
  uint8_t* data() const;
  // Gives the malloc'd block to a new owner (JS); pages are shared instead.
  uint8_t* ReleaseHeap();
  void Swap(ResultBytes& other);
  void Reset();
};

struct GrayFileResult {
  uint32_t width = 0;  // after orientation
  uint32_t height = 0;
  codecs::ImageFormat input_format = codecs::ImageFormat::kUnknown;
  codecs::ImageFormat output_format = codecs::ImageFormat::kUnknown;
  bool luma = false;
  bool luma_copied = false;  // the input's luma coefficients were copied
  int orientation = 0;
  bool oriented = false;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  ResultBytes data;  // pixels (kPixels) or the encoded image (kEncoded)
  FileTimings timings;
};

class GrayFileJob : public Job {
 public:
  // Rows decoded or encoded between two looks at the cancel flag.
  static constexpr uint32_t kBandRows = 32;

  explicit GrayFileJob(GrayFileRequest request);

  void RunChunk(size_t index) override;
  uint64_t ChunkItems(size_t) const override { return 0; }  // counted row by row
  bool MayRunInline() const override { return false; }
  // The output file was renamed into place: the job resolves even if a
  // cancellation came after that.
  bool CommittedDespiteCancel() const override { return committed_.load(std::memory_order_acquire); }

  // Valid once the job is done and neither failed nor was cancelled.
  GrayFileResult& result() { return result_; }
  const GrayFileRequest& request() const { return request_; }

 private:
  bool Read(files::FileBytes* bytes);
  // The luma copy, where it applies. False: the file takes the decode path
  // (which gives the verdict on inputs the copy cannot take, e.g. a JPEG
  // that Pillow decodes although it lacks its end marker).
  bool CopyLuma(const uint8_t* data, size_t size, codecs::OutputBuffer* encoded);
  void Deliver(codecs::OutputBuffer* encoded);
  bool ReadScreened(files::InputFile& input, files::FileBytes* bytes);
  bool FailInput(const char* code, const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 3, 4)))
#endif
      ;
  bool Decode(const uint8_t* data, size_t size, ResultBytes* pixels);
  bool Orient(ResultBytes* pixels);
  bool Encode(const ResultBytes& pixels, codecs::OutputBuffer* encoded);
  bool EncodeJpeg(const ResultBytes& pixels, codecs::OutputBuffer* encoded);
  // Segments of rows deflated in parallel on the pool (codecs/png_segments.h).
  bool EncodePng(const ResultBytes& pixels, codecs::OutputBuffer* encoded);
  bool EncodeWebp(const ResultBytes& pixels, codecs::OutputBuffer* encoded);
  bool Write(const codecs::OutputBuffer& encoded);
  bool Check(const codecs::Status& status);
  bool CheckSystem(bool ok, const files::SystemError& error, const char* target);

  GrayFileRequest request_;
  GrayFileResult result_;
  uint64_t encode_rows_ = 0;
  std::atomic<bool> committed_{false};
};

}  // namespace offloop
