// EXIF orientation applied to an 8-bit gray image, as Pillow's
// ImageOps.exif_transpose does it (tag 0x0112):
//   1 as stored            2 mirrored left-right   3 rotated 180
//   4 mirrored top-bottom  5 transposed            6 rotated 90 clockwise
//   7 transversed          8 rotated 90 counter-clockwise
// 2..4 keep the size and run in place; 5..8 swap width and height and need a
// second image (a transpose in place of a non-square image is a permutation
// cycle walk, far slower than the copy).
#pragma once

#include <cstddef>
#include <cstdint>

namespace offloop::kernels {

// Whether `orientation` swaps width and height (5..8).
inline bool OrientationSwapsAxes(int orientation) { return orientation >= 5 && orientation <= 8; }

// Orientations 2..4 in place on `pixels` (width * height, packed); any other
// value leaves the image as it is.
void OrientInPlace(uint8_t* pixels, size_t width, size_t height, int orientation);

// Orientations 5..8 from `src` (width * height, packed) into `dst` (height *
// width, packed: the result is `height` pixels wide). Other values: no-op.
void OrientTransposed(const uint8_t* src, size_t width, size_t height, int orientation, uint8_t* dst);

}  // namespace offloop::kernels
