#include "complete.h"

#include <cstring>

#include "webp_decode.h"

namespace offloop::codecs {

namespace {

// A PNG's last chunk: length 0, "IEND", then that chunk's CRC.
constexpr uint8_t kPngEnd[kWholeFileTailBytes] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
constexpr uint8_t kJpegEnd[2] = {0xFF, 0xD9};

bool EndsWith(const uint8_t* tail, size_t tail_size, const uint8_t* end, size_t end_size) {
  return tail_size >= end_size && std::memcmp(tail + tail_size - end_size, end, end_size) == 0;
}

// A WebP is whole when its RIFF chunk (size at bytes 4..7, then the padded
// payload) ends where the file does, and libwebp reads its header. The file
// is judged from its first bytes alone: a long one needs no second read.
Status InspectWholeWebp(const uint8_t* head, size_t head_size, uint64_t file_size, HeaderInfo* info) {
  *info = HeaderInfo();
  info->format = ImageFormat::kWebp;
  const uint64_t riff = uint64_t{head[4]} | uint64_t{head[5]} << 8 | uint64_t{head[6]} << 16 | uint64_t{head[7]} << 24;
  if (file_size != 8 + riff + (riff & 1)) {
    return Status::Error(ErrorCode::kTruncated, "webp file does not end where its RIFF chunk does");
  }
  uint64_t width = 0, height = 0;
  const Status header = WebpHeaderSize(head, head_size, &width, &height);
  if (!header.ok()) return header;
  info->width = static_cast<uint32_t>(width);
  info->height = static_cast<uint32_t>(height);
  return Status::Ok();
}

}  // namespace

Status InspectWholeFile(const uint8_t* head, size_t head_size, const uint8_t* tail, size_t tail_size,
                        uint64_t file_size, HeaderInfo* info) {
  if (head_size > file_size || tail_size > file_size || tail_size > kWholeFileTailBytes ||
      (tail == nullptr && tail_size != 0)) {
    return Status::Error(ErrorCode::kInvalidArgument, "head or tail longer than the file");
  }
  if (DetectFormat(head, head_size) == ImageFormat::kWebp) return InspectWholeWebp(head, head_size, file_size, info);
  Status header = InspectHeader(head, head_size, info);
  if (!header.ok()) return header;
  if (info->format != ImageFormat::kJpeg && info->format != ImageFormat::kPng) {
    // offloop writes JPEG, PNG and WebP only: anything else is not its output.
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
