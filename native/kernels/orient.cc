#include "orient.h"

#include <algorithm>
#include <utility>

namespace offloop::kernels {

namespace {

void MirrorRow(uint8_t* row, size_t width) { std::reverse(row, row + width); }

void SwapRows(uint8_t* a, uint8_t* b, size_t width) { std::swap_ranges(a, a + width, b); }

// Tiles keep both the rows read and the rows written in cache: a plain
// column walk of a 4000-pixel-wide image misses on every byte.
constexpr size_t kTile = 64;

}  // namespace

void OrientInPlace(uint8_t* pixels, size_t width, size_t height, int orientation) {
  if (width == 0 || height == 0) return;
  switch (orientation) {
    case 2:
      for (size_t y = 0; y < height; ++y) MirrorRow(pixels + y * width, width);
      break;
    case 3:
      // A 180-degree turn is the whole buffer reversed.
      std::reverse(pixels, pixels + width * height);
      break;
    case 4:
      for (size_t y = 0; y < height / 2; ++y) {
        SwapRows(pixels + y * width, pixels + (height - 1 - y) * width, width);
      }
      break;
    default:
      break;
  }
}

void OrientTransposed(const uint8_t* src, size_t width, size_t height, int orientation, uint8_t* dst) {
  if (!OrientationSwapsAxes(orientation) || width == 0 || height == 0) return;
  // The result is `height` wide and `width` tall; out(x', y') comes from the
  // source pixel below (x' walks source rows, y' walks source columns).
  const size_t out_width = height;
  const bool flip_x = orientation == 7 || orientation == 8;  // y' counts columns from the right
  const bool flip_y = orientation == 6 || orientation == 7;  // x' counts rows from the bottom
  for (size_t y0 = 0; y0 < height; y0 += kTile) {
    const size_t y1 = std::min(height, y0 + kTile);
    for (size_t x0 = 0; x0 < width; x0 += kTile) {
      const size_t x1 = std::min(width, x0 + kTile);
      for (size_t y = y0; y < y1; ++y) {
        const uint8_t* row = src + y * width;
        const size_t out_x = flip_y ? height - 1 - y : y;
        for (size_t x = x0; x < x1; ++x) {
          const size_t out_y = flip_x ? width - 1 - x : x;
          dst[out_y * out_width + out_x] = row[x];
        }
      }
    }
  }
}

}  // namespace offloop::kernels
