#include "gray_file_job.h"

#include <chrono>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include "codecs/jpeg_encode.h"
#include "codecs/jpeg_luma_copy.h"
#include "codecs/png_segments.h"
#include "codecs/webp_encode.h"
#include "core/pool.h"
#include "kernels/grayscale.h"
#include "kernels/orient.h"
#include "png_segments_job.h"

namespace offloop {

namespace {

// The format an output is written in: the one asked for, or with 'same' a
// JPEG as JPEG, a WebP as WebP and everything else (PNG, GIF, BMP) as PNG.
codecs::ImageFormat WrittenFormat(FileFormat asked, codecs::ImageFormat input) {
  switch (asked) {
    case FileFormat::kJpeg:
      return codecs::ImageFormat::kJpeg;
    case FileFormat::kPng:
      return codecs::ImageFormat::kPng;
    case FileFormat::kWebp:
      return codecs::ImageFormat::kWebp;
    case FileFormat::kSame:
      break;
  }
  return input == codecs::ImageFormat::kJpeg || input == codecs::ImageFormat::kWebp ? input : codecs::ImageFormat::kPng;
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Pillow's RGB/RGBX -> L through offloop's SIMD bt601 kernel: the same bytes
// as the scalar formula (tested), several times faster.
void KernelRgbRowToL(const uint8_t* src, size_t step, size_t pixels, uint8_t* dst) {
  kernels::GrayLayout layout;
  layout.width = pixels;
  layout.stride = pixels * step;
  layout.channels = static_cast<int>(step);
  kernels::GrayscaleRows(src, layout, 1, kernels::kBt601, dst);
}

void RgbxRowToL(const uint8_t* rgbx, size_t pixels, uint8_t* dst) { KernelRgbRowToL(rgbx, 4, pixels, dst); }

// The codecs' scratch (codecs/scratch.h: PNG's raw rows inflated whole, 27
// MB for a 9 MP RGB file; the PNG encoder's joined rows and deflated
// stream): pages from the result cache when large, so that a batch reuses
// the same mapped pages file after file instead of faulting fresh ones in.
uint8_t* CachedScratch(size_t bytes, std::shared_ptr<void>* owner) {
  try {
    if (bytes >= memory::kNativeOutputBytes) {
      std::shared_ptr<memory::Pages> pages = memory::AllocatePages(bytes);
      if (pages != nullptr) {
        uint8_t* data = static_cast<uint8_t*>(pages->data);
        *owner = std::move(pages);
        return data;
      }
    }
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
  return codecs::HeapScratch(bytes, owner);
}

// A result buffer of `size` bytes: mapped pages when large (first touched by
// the decoder on this thread; see core/native_memory.h), else malloc.
bool AllocateResult(size_t size, ResultBytes* bytes) {
  bytes->size = size;
  if (size >= memory::kNativeOutputBytes) {
    bytes->pages = memory::AllocatePages(size);
    if (bytes->pages != nullptr) return true;
  }
  bytes->heap = static_cast<uint8_t*>(std::malloc(size > 0 ? size : 1));
  return bytes->heap != nullptr;
}

}  // namespace

ResultBytes::~ResultBytes() { std::free(heap); }

uint8_t* ResultBytes::data() const { return pages != nullptr ? static_cast<uint8_t*>(pages->data) : heap; }

uint8_t* ResultBytes::ReleaseHeap() {
  uint8_t* block = heap;
  heap = nullptr;
  return block;
}

void ResultBytes::Swap(ResultBytes& other) {
  std::swap(pages, other.pages);
  std::swap(heap, other.heap);
  std::swap(size, other.size);
}

void ResultBytes::Reset() {
  ResultBytes empty;
  Swap(empty);
}

GrayFileJob::GrayFileJob(GrayFileRequest request) : Job(1, 0), request_(std::move(request)) {}

bool GrayFileJob::Check(const codecs::Status& status) {
  if (status.ok()) return true;
  // A cancellation the decoder saw is not a failure: the job settles as
  // cancelled (its caller aborted).
  if (status.code == codecs::ErrorCode::kCancelled) return false;
  JobFailure failure;
  failure.code = codecs::ErrorCodeName(status.code);
  std::snprintf(failure.message, sizeof failure.message, "%s", status.message);
  FailWith(failure);
  return false;
}

bool GrayFileJob::CheckSystem(bool ok, const files::SystemError& error, const char* target) {
  if (ok) return true;
  if (error.code == 0) return false;  // stopped by cancellation
  JobFailure failure;
  failure.code = "ERR_OFFLOOP_SYSTEM";
  failure.system_errno = error.code;
  failure.syscall = error.syscall;
  failure.target = target;
  std::snprintf(failure.message, sizeof failure.message, "%s failed (errno %d)", error.syscall, error.code);
  FailWith(failure);
  return false;
}

bool GrayFileJob::FailInput(const char* code, const char* format, ...) {
  JobFailure failure;
  failure.code = code;
  va_list args;
  va_start(args, format);
  std::vsnprintf(failure.message, sizeof failure.message, format, args);
  va_end(args);
  FailWith(failure);
  return false;
}

bool GrayFileJob::Read(files::FileBytes* bytes) {
  const auto start = std::chrono::steady_clock::now();
  files::InputFile input;
  files::SystemError error;
  bool ok = input.Open(request_.input_path, &error);
  if (ok && input.kind() == files::FileKind::kDirectory) {
    // What Node's fs says of a folder, as offloop always has.
    ok = false;
    error = {EISDIR, "read"};
  }
  if (!ok) return CheckSystem(ok, error, "input");
  if (input.kind() != files::FileKind::kRegular) {
    // A FIFO or a device could block or never end: never read one.
    return FailInput("ERR_OFFLOOP_NOT_A_FILE", "not a regular file (a %s)", files::FileKindName(input.kind()));
  }
  ok = ReadScreened(input, bytes);
  result_.timings.read = MsSince(start);
  return ok;
}

// Reads the header first and the rest only if the header is worth it, so a
// large file that is not an image, or an image over the pixel limit, costs
// a few reads and no memory.
bool GrayFileJob::ReadScreened(files::InputFile& input, files::FileBytes* bytes) {
  const uint64_t limit = request_.max_bytes;
  if (limit != 0 && input.size() > limit) {
    return FailInput("ERR_OFFLOOP_INPUT_TOO_LARGE", "file of %llu bytes, over limitInputBytes (%llu)",
                     static_cast<unsigned long long>(input.size()), static_cast<unsigned long long>(limit));
  }
  files::SystemError error;
  bool ended = false;
  bool need_more = true;
  for (size_t window = size_t{64} << 10; need_more && !ended; window *= 4) {
    if (!CheckSystem(input.ReadUpTo(window, bytes, &ended, cancel_flag(), &error), error, "input")) {
      return false;
    }
    if (!Check(codecs::ScreenPrefix(bytes->data(), bytes->size, ended, request_.max_pixels, &need_more))) {
      return false;
    }
  }
  // One byte past the limit shows a file that grew beyond it.
  const size_t until = limit != 0 && limit < std::numeric_limits<size_t>::max() ? static_cast<size_t>(limit) + 1
                                                                                : std::numeric_limits<size_t>::max();
  if (!ended && !CheckSystem(input.ReadUpTo(until, bytes, &ended, cancel_flag(), &error), error, "input")) {
    return false;
  }
  if (limit != 0 && bytes->size > limit) {
    return FailInput("ERR_OFFLOOP_INPUT_TOO_LARGE", "file grew past limitInputBytes (%llu) while read",
                     static_cast<unsigned long long>(limit));
  }
  return true;
}

bool GrayFileJob::CopyLuma(const uint8_t* data, size_t size, codecs::OutputBuffer* encoded) {
  // Only a JPEG written as JPEG can take the input's luma.
  if (!request_.luma_copy || request_.output == FileOutput::kPixels ||
      codecs::DetectFormat(data, size) != codecs::ImageFormat::kJpeg ||
      WrittenFormat(request_.format, codecs::ImageFormat::kJpeg) != codecs::ImageFormat::kJpeg) {
    return false;
  }
  codecs::HeaderInfo header;
  (void)codecs::InspectHeader(data, size, &header);  // for the orientation; libjpeg judges the rest
  // Turning coefficients is not done: an image to turn takes the luma path.
  if (request_.auto_orient && header.orientation >= 2 && header.orientation <= 8) return false;
  const auto start = std::chrono::steady_clock::now();
  codecs::LumaCopyOptions options;
  options.max_pixels = request_.max_pixels;
  options.cancel = cancel_flag();
  codecs::JpegLumaCopy copy;
  codecs::Status status = copy.Open(data, size, options);
  // The coefficients of a large image in offloop's reused pages: fresh ones
  // cost a page fault each, more than entropy-decoding what they hold.
  std::shared_ptr<memory::Pages> coefficients;
  if (status.ok()) {
    SetTotalItems(uint64_t{copy.height()} * 2);
    if (copy.coefficient_bytes() >= memory::kNativeOutputBytes) {
      coefficients = memory::AllocatePages(copy.coefficient_bytes());
    }
    status = coefficients != nullptr ? copy.Read(coefficients->data, coefficients->capacity) : copy.Read();
  }
  const double read_ms = MsSince(start);
  const auto encode_start = std::chrono::steady_clock::now();
  if (status.ok()) status = copy.Write(encoded);
  if (!status.ok()) {
    // Cancelled, or out of memory: the decode path would fare no better.
    if (status.code == codecs::ErrorCode::kCancelled || status.code == codecs::ErrorCode::kOutOfMemory) {
      Check(status);
      return true;
    }
    return false;
  }
  AddItemsDone(uint64_t{copy.height()} * 2);
  result_.timings.decode = read_ms;
  result_.timings.encode = MsSince(encode_start);
  result_.width = copy.width();
  result_.height = copy.height();
  result_.input_format = codecs::ImageFormat::kJpeg;
  result_.output_format = codecs::ImageFormat::kJpeg;
  result_.orientation = header.orientation;
  result_.luma = true;
  result_.luma_copied = true;
  result_.bytes_out = encoded->size();
  Deliver(encoded);
  return true;
}

bool GrayFileJob::Decode(const uint8_t* data, size_t size, ResultBytes* pixels) {
  const auto start = std::chrono::steady_clock::now();
  codecs::DecodeOptions options;
  options.mode = request_.mode;
  options.max_pixels = request_.max_pixels;
  options.cancel = cancel_flag();
  options.rgbx_to_l = RgbxRowToL;
  options.rgb_to_l = KernelRgbRowToL;
  options.scratch = CachedScratch;
  std::unique_ptr<codecs::GrayDecoder> decoder;
  if (!Check(codecs::OpenGrayDecoder(data, size, options, &decoder))) return false;

  const uint32_t width = decoder->width();
  const uint32_t height = decoder->height();
  result_.input_format = decoder->info().format;
  result_.orientation = decoder->info().orientation;
  result_.luma = decoder->luma();
  // Encoding writes the rows of the image as oriented: after a quarter
  // turn, as many rows as the stored image has columns.
  const bool turned = request_.auto_orient && kernels::OrientationSwapsAxes(result_.orientation);
  encode_rows_ = request_.output == FileOutput::kPixels ? 0 : turned ? width : height;
  SetTotalItems(uint64_t{height} + encode_rows_);

  // width * height fits: the decoder refused more than max_pixels, and with
  // no limit a 2^32 x 2^32 header is a 64-bit count that malloc refuses.
  const uint64_t count = uint64_t{width} * height;
  if (count > std::numeric_limits<size_t>::max()) {
    return Check(
        codecs::Status::Error(codecs::ErrorCode::kTooLarge, "%ux%u pixels do not fit in memory", width, height));
  }
  if (!AllocateResult(static_cast<size_t>(count), pixels)) {
    return Check(
        codecs::Status::Error(codecs::ErrorCode::kOutOfMemory, "out of memory for %ux%u pixels", width, height));
  }
  if (!Check(decoder->Start({pixels->data(), width}))) return false;
  codecs::DecodeProgress progress;
  uint64_t rows_reported = 0;
  while (!progress.finished) {
    if (cancelled()) return false;
    if (!Check(decoder->Step(kBandRows, &progress))) return false;
    // Progress in output rows, whatever unit the decoder counts in (an
    // Adam7 PNG counts rows of its seven passes).
    const uint64_t rows = progress.total == 0 ? height : progress.done * height / progress.total;
    if (rows > rows_reported) {
      AddItemsDone(rows - rows_reported);
      rows_reported = rows;
    }
  }
  result_.width = width;
  result_.height = height;
  result_.timings.decode = MsSince(start);
  return true;
}

bool GrayFileJob::Orient(ResultBytes* pixels) {
  const int orientation = result_.orientation;
  if (!request_.auto_orient || orientation < 2 || orientation > 8) return true;
  const auto start = std::chrono::steady_clock::now();
  const size_t width = result_.width;
  const size_t height = result_.height;
  if (!kernels::OrientationSwapsAxes(orientation)) {
    kernels::OrientInPlace(pixels->data(), width, height, orientation);
  } else {
    ResultBytes turned;
    if (!AllocateResult(pixels->size, &turned)) {
      return Check(codecs::Status::Error(codecs::ErrorCode::kOutOfMemory, "out of memory turning %zux%zu pixels", width,
                                         height));
    }
    kernels::OrientTransposed(pixels->data(), width, height, orientation, turned.data());
    pixels->Swap(turned);
    result_.width = static_cast<uint32_t>(height);
    result_.height = static_cast<uint32_t>(width);
  }
  result_.oriented = true;
  result_.timings.orient = MsSince(start);
  return true;
}

bool GrayFileJob::EncodePng(const ResultBytes& pixels, codecs::OutputBuffer* encoded) {
  const uint32_t width = result_.width;
  const uint32_t height = result_.height;
  const codecs::PngSegmentPlan plan = codecs::PlanPngSegments(width, height);
  auto segments =
      std::make_shared<PngSegmentsJob>(this, pixels.data(), width, height, request_.compression_level, plan);
  if (plan.count > 1) {
    // Idle pool threads take segments; this thread deflates its share and
    // waits only for segments already running elsewhere.
    segments->set_owner(owner());
    ThreadPool::Instance().RunHelping(segments);
  } else {
    segments->ExecuteChunk(0);
  }
  if (segments->failed()) {  // a segment threw (out of memory)
    FailWith(segments->failure());
    return false;
  }
  if (cancelled()) return false;
  if (const codecs::Status* failure = segments->FirstFailure()) return Check(*failure);
  return Check(codecs::AssemblePng(width, height, request_.compression_level, segments->segments().data(), plan.count,
                                   encoded, CachedScratch));
}

bool GrayFileJob::EncodeJpeg(const ResultBytes& pixels, codecs::OutputBuffer* encoded) {
  const uint32_t width = result_.width;
  const uint32_t height = result_.height;
  codecs::JpegGrayEncoder encoder;
  codecs::JpegEncodeOptions options;
  options.quality = request_.quality == 0 ? kDefaultQuality : request_.quality;
  if (!Check(encoder.Start(width, height, options, encoded))) return false;
  for (uint32_t row = 0; row < height; row += kBandRows) {
    if (cancelled()) return false;
    const uint32_t rows = height - row < kBandRows ? height - row : kBandRows;
    if (!Check(encoder.WriteRows(pixels.data() + size_t{row} * width, width, rows))) return false;
    AddItemsDone(rows);
  }
  return Check(encoder.Finish());
}

// libwebp encodes the whole image in one call (Pillow's WebPEncode): no
// bands to report, and cancellation is seen before and after it.
bool GrayFileJob::EncodeWebp(const ResultBytes& pixels, codecs::OutputBuffer* encoded) {
  if (cancelled()) return false;
  codecs::WebpEncodeOptions options;
  options.lossless = request_.lossless;
  options.quality = request_.quality == 0 ? kDefaultWebpQuality : request_.quality;
  if (!Check(codecs::EncodeGrayWebp(pixels.data(), result_.width, result_.height, result_.width, options, encoded))) {
    return false;
  }
  AddItemsDone(result_.height);
  return !cancelled();
}

bool GrayFileJob::Encode(const ResultBytes& pixels, codecs::OutputBuffer* encoded) {
  const auto start = std::chrono::steady_clock::now();
  const codecs::ImageFormat format = WrittenFormat(request_.format, result_.input_format);
  result_.output_format = format;
  const bool ok = format == codecs::ImageFormat::kJpeg   ? EncodeJpeg(pixels, encoded)
                  : format == codecs::ImageFormat::kWebp ? EncodeWebp(pixels, encoded)
                                                         : EncodePng(pixels, encoded);
  result_.bytes_out = encoded->size();
  result_.timings.encode = MsSince(start);
  return ok;
}

bool GrayFileJob::Write(const codecs::OutputBuffer& encoded) {
  const auto start = std::chrono::steady_clock::now();
  files::AtomicFileWriter writer;
  files::SystemError error;
  files::WriteOptions options;
  options.durable = request_.durable;
  bool ok = writer.Open(request_.output_path, &error) && writer.Write(encoded.data(), encoded.size(), &error) &&
            // The last look at the flag: after the rename the file is the
            // caller's, and an abort can no longer take it back.
            !cancelled() && writer.Commit(options, &error);
  result_.timings.write = MsSince(start);
  if (writer.renamed()) committed_.store(true, std::memory_order_release);
  return CheckSystem(ok, error, "output");
}

void GrayFileJob::RunChunk(size_t) {
  files::FileBytes file;
  const uint8_t* data = request_.input_bytes;
  size_t size = request_.input_size;
  if (request_.from_path) {
    if (!Read(&file)) return;
    data = file.data();
    size = file.size;
  }
  result_.bytes_in = size;
  {
    codecs::OutputBuffer copied;
    if (CopyLuma(data, size, &copied)) return;
  }

  ResultBytes pixels;
  if (!Decode(data, size, &pixels)) return;
  file = files::FileBytes();  // the encoded input is not needed any more
  if (!Orient(&pixels)) return;
  if (request_.output == FileOutput::kPixels) {
    result_.data.Swap(pixels);
    return;
  }
  codecs::OutputBuffer encoded;
  if (!Encode(pixels, &encoded)) return;
  pixels.Reset();
  Deliver(&encoded);
}

// The encoded image to its place: the result (kEncoded) or the output file.
void GrayFileJob::Deliver(codecs::OutputBuffer* encoded) {
  if (request_.output == FileOutput::kEncoded) {
    result_.data.size = encoded->size();
    result_.data.heap = encoded->Release();
    return;
  }
  Write(*encoded);
}

}  // namespace offloop
