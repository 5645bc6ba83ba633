#include "png_encode.h"

#include <memory>
#include <new>

#include "png_segments.h"

namespace offloop::codecs {

Status EncodeGrayPng(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                     const PngEncodeOptions& options, OutputBuffer* out) noexcept {
  if (options.compression_level < 0 || options.compression_level > 9) {
    return Status::Error(ErrorCode::kInvalidArgument, "PNG: compression level %d is not 0..9",
                         options.compression_level);
  }
  if (pixels == nullptr || stride < width) {
    return Status::Error(ErrorCode::kInvalidArgument, "PNG: bad pixel buffer");
  }
  const PngSegmentPlan plan = PlanPngSegments(width, height);
  std::unique_ptr<PngSegment[]> segments(new (std::nothrow) PngSegment[plan.count > 0 ? plan.count : 1]);
  if (!segments) return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory");
  for (uint32_t i = 0; i < plan.count; ++i) {
    Status status = DeflatePngSegment(pixels, width, height, stride, plan, i, options.compression_level, &segments[i]);
    if (!status.ok()) return status;
  }
  return AssemblePng(width, height, options.compression_level, segments.get(), plan.count, out, options.scratch);
}

}  // namespace offloop::codecs
