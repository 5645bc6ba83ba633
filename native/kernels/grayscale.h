// RGB/RGBA/BGR/BGRA to 8-bit gray over plain pointers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "store_mode.h"

namespace offloop::kernels {

// 16-bit fixed-point weights that sum to 65536. gray =
// (R*r + G*g + B*b + 0x8000) >> 16, which with kBt601 is exactly Pillow's
// Image.convert('L').
struct GrayWeights {
  uint32_t r;
  uint32_t g;
  uint32_t b;
};
constexpr GrayWeights kBt601{19595, 38470, 7471};
constexpr GrayWeights kBt709{13933, 46871, 4732};

struct GrayLayout {
  size_t width = 0;   // pixels per row
  size_t stride = 0;  // bytes from one source row to the next (>= width*channels)
  int channels = 4;   // 3 or 4; a 4th channel (alpha) is ignored
  bool bgr = false;   // byte order B,G,R(,A) instead of R,G,B(,A)
};

// Any weights are accepted (uint32 arithmetic, wrapping like the formula);
// the SIMD paths cover r <= 32768, g <= 98303, b <= 32767, which includes both
// presets, and other weights take the scalar path.
// Converts `rows` rows starting at src (row 0) into dst, packed: dst row r
// starts at dst + r * width. Uses the best SIMD path this CPU supports.
void GrayscaleRows(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst);
void GrayscaleRows(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst,
                   StoreMode mode);

// The portable reference path, for tests: same result as GrayscaleRows.
void GrayscaleRowsScalar(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst);

}  // namespace offloop::kernels
