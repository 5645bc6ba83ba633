// libpng's default filter choice for 8-bit gray PNG rows (one byte a pixel):
// per row, the one of the five PNG filters whose output has the smallest sum
// of absolute (signed) byte values, the first in filter order on ties. The
// scalar row is the reference; x86-64 filters 16 pixels at a time with SSE2
// (its baseline, so no dispatch), and every path gives the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace offloop::codecs {

// PNG's Paeth predictor of a byte from its left (a), upper (b) and upper-left
// (c) neighbours. Branch-free selects, so loops over a row vectorize.
inline int PaethPredictor(int a, int b, int c) {
  const int pa = std::abs(b - c);          // |p - a| with p = a + b - c
  const int pb = std::abs(a - c);          // |p - b|
  const int pc = std::abs(a + b - 2 * c);  // |p - c|
  const int b_or_c = pb <= pc ? b : c;
  return (pa <= pb && pa <= pc) ? a : b_or_c;
}

// One filtered row: the filter type byte, then `width` bytes. `prior` is the
// row above (all zeros for the first row, as PNG defines it). `scratch`
// holds 4 * width bytes.
void FilterGrayRow(const uint8_t* row, const uint8_t* prior, uint32_t width, uint8_t* scratch, uint8_t* out);

// The scalar reference, for tests that compare it with FilterGrayRow.
void FilterGrayRowScalar(const uint8_t* row, const uint8_t* prior, uint32_t width, uint8_t* scratch, uint8_t* out);

}  // namespace offloop::codecs
