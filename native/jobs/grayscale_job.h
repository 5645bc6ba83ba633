// grayscale as a pool job: rows of RGB(A)/BGR(A) pixels to packed 8-bit gray.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/chunking.h"
#include "core/job.h"
#include "kernels/grayscale.h"

namespace offloop {

class GrayscaleJob : public Job {
 public:
  // About 256 Ki pixels per chunk (tens of rows of a 4K frame, about 1 MiB
  // of RGBA): enough per kernel call for its lockstep streams to run at full
  // speed, still ~0.1 ms of work per chunk.
  static constexpr size_t kPixelsPerChunk = 262144;

  // The caller checked that `src` holds the image and `dst` width*height bytes.
  GrayscaleJob(const uint8_t* src, kernels::GrayLayout layout, size_t height, kernels::GrayWeights weights,
               uint8_t* dst);

  void RunChunk(size_t index) override;
  uint64_t ChunkItems(size_t index) const override { return chunking_.at(index).size() * layout_.width; }

 private:
  static size_t RowsPerChunk(size_t width);

  Chunking chunking_;
  kernels::StoreMode store_;
  const uint8_t* src_;
  kernels::GrayLayout layout_;
  kernels::GrayWeights weights_;
  uint8_t* dst_;
};

}  // namespace offloop
