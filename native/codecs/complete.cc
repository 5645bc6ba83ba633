#include "complete.h"

#include <cstring>

namespace offloop::codecs {

namespace {

// A PNG's last chunk: length 0, "IEND", then that chunk's CRC.
constexpr uint8_t kPngEnd[kWholeFileTailBytes] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
constexpr uint8_t kJpegEnd[2] = {0xFF, 0xD9};

bool EndsWith(const uint8_t* tail, size_t tail_size, const uint8_t* end, size_t end_size) {
  return tail_size >= end_size && std::memcmp(tail + tail_size - end_size, end, end_size) == 0;
}

}  // namespace

Status InspectWholeFile(const uint8_t* head, size_t head_size, const uint8_t* tail, size_t tail_size,
                        uint64_t file_size, HeaderInfo* info) {
  if (head_size > file_size || tail_size > file_size || tail_size > kWholeFileTailBytes ||
      (tail == nullptr && tail_size != 0)) {
    return Status::Error(ErrorCode::kInvalidArgument, "head or tail longer than the file");
  }
  Status header = InspectHeader(head, head_size, info);
  if (!header.ok()) return header;
  if (info->format != ImageFormat::kJpeg && info->format != ImageFormat::kPng) {
    // offloop writes JPEG and PNG only: anything else is not its output.
    return Status::Error(ErrorCode::kUnsupported, "a %s file is not an output of offloop", FormatName(info->format));
  }
  bool ends = info->format == ImageFormat::kPng ? EndsWith(tail, tail_size, kPngEnd, sizeof kPngEnd)
                                                : EndsWith(tail, tail_size, kJpegEnd, sizeof kJpegEnd);
  if (!ends) {
    return Status::Error(ErrorCode::kTruncated, "%s file does not end with its %s", FormatName(info->format),
                         info->format == ImageFormat::kPng ? "IEND chunk" : "EOI marker");
  }
  return Status::Ok();
}

}  // namespace offloop::codecs
