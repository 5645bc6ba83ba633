// PNG's row filters, both ways.
// Encoding: libpng's default filter choice for 8-bit gray PNG rows (one byte
// a pixel): per row, the one of the five PNG filters whose output has the
// smallest sum of absolute (signed) byte values, the first in filter order on
// ties. The scalar row is the reference; x86-64 filters 16 pixels at a time
// with SSE2 (its baseline, so no dispatch), and every path gives the same bytes.
// Decoding: undoing any row's filter, for every pixel size, with SSE2 on
// x86-64 and NEON on arm64 (both baselines, so again no dispatch); the scalar
// row is the reference.
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

// Undoes one row's filter in place: `type` is the row's filter byte (above 4
// leaves the row as it is: callers refuse those), `row` its n bytes, `prior`
// the row above, unfiltered (n zeros for a pass's first row), `bpp` the bytes
// a pixel, at least 1 (1 for depths below 8).
void UnfilterRow(uint8_t type, uint8_t* row, const uint8_t* prior, size_t n, size_t bpp);

// The scalar reference, for tests that compare it with UnfilterRow.
void UnfilterRowScalar(uint8_t type, uint8_t* row, const uint8_t* prior, size_t n, size_t bpp);

}  // namespace offloop::codecs
