#include "grayscale.h"

#include "kernels_internal.h"

namespace offloop::kernels {

void GrayscaleRowsScalar(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst) {
  internal::kScalarKernels.grayscale(src, layout, rows, weights, dst, false);
}

void GrayscaleRows(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst) {
  GrayscaleRows(src, layout, rows, weights, dst, StoreMode::kAuto);
}

void GrayscaleRows(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst,
                   StoreMode mode) {
  if (rows == 0 || layout.width == 0) return;
  if (!internal::SimdWeightsOk(weights)) {
    GrayscaleRowsScalar(src, layout, rows, weights, dst);
    return;
  }
  const size_t out_bytes = rows * layout.width;
  const bool stream = ShouldStream(mode, out_bytes, /*in_place=*/false);
  internal::ActiveKernels().grayscale(src, layout, rows, weights, dst, stream);
}

}  // namespace offloop::kernels
