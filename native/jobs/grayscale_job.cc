#include "grayscale_job.h"

#include <algorithm>

namespace offloop {

size_t GrayscaleJob::RowsPerChunk(size_t width) {
  return width == 0 ? kPixelsPerChunk : std::max<size_t>(1, kPixelsPerChunk / width);
}

GrayscaleJob::GrayscaleJob(const uint8_t* src, kernels::GrayLayout layout, size_t height, kernels::GrayWeights weights,
                           uint8_t* dst)
    : Job(static_cast<size_t>(Chunking(height, RowsPerChunk(layout.width)).count()), uint64_t{layout.width} * height),
      chunking_(height, RowsPerChunk(layout.width)),
      store_(kernels::StoreModeForJob(layout.width * height, /*in_place=*/false)),
      src_(src),
      layout_(layout),
      weights_(weights),
      dst_(dst) {}

void GrayscaleJob::RunChunk(size_t index) {
  const ItemRange rows = chunking_.at(index);
  if (rows.size() == 0 || layout_.width == 0) return;
  const auto first_row = static_cast<size_t>(rows.begin);
  kernels::GrayscaleRows(src_ + first_row * layout_.stride, layout_, rows.size(), weights_,
                         dst_ + first_row * layout_.width, store_);
}

}  // namespace offloop
