// Pillow 9.4's conversions to 8-bit gray ("L"), as scalar row functions. See
// README.md for where each rule comes from in Pillow's sources.
#pragma once

#include <cstddef>
#include <cstdint>

namespace offloop::codecs {

// ITU-R 601-2 luma in 16-bit fixed point, rounded: Pillow's L24 >> 16.
inline uint8_t PillowLuma(uint32_t r, uint32_t g, uint32_t b) {
  return static_cast<uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

// Pillow's MULDIV255: a*b/255 rounded, in integers.
inline uint32_t PillowMulDiv255(uint32_t a, uint32_t b) {
  uint32_t t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

// A CMYK pixel to L as Pillow's convert('L') of a CMYK image: cmyk2rgb
// (nk = 255 - K, X = nk - MULDIV255(C, nk)), then the luma of that RGB.
inline uint8_t PillowCmykToL(uint32_t c, uint32_t m, uint32_t y, uint32_t k) {
  const uint32_t nk = 255u - k;
  return PillowLuma(nk - PillowMulDiv255(c, nk), nk - PillowMulDiv255(m, nk), nk - PillowMulDiv255(y, nk));
}

// A JPEG CMYK pixel as libjpeg returns it (Adobe polarity, i.e. inverted:
// 255 = no ink) to L: Pillow inverts ("CMYK;I"), then as PillowCmykToL.
inline uint8_t PillowAdobeCmykToL(const uint8_t* p) {
  return PillowCmykToL(255u - p[0], 255u - p[1], 255u - p[2], 255u - p[3]);
}

// Rows of interleaved 8-bit samples to L. `step` is bytes per pixel (3 for
// RGB, 4 for RGBX/RGBA: the 4th byte is ignored, never composited).
void RgbRowToL(const uint8_t* src, size_t step, size_t pixels, uint8_t* dst);
void AdobeCmykRowToL(const uint8_t* src, size_t pixels, uint8_t* dst);

// A converter a caller can swap in for RgbRowToL on 4-byte pixels (e.g. the
// SIMD bt601 kernel of native/kernels): must give the same bytes.
using RgbxRowToL = void (*)(const uint8_t* rgbx, size_t pixels, uint8_t* dst);
void RgbxRowToLScalar(const uint8_t* rgbx, size_t pixels, uint8_t* dst);

// The same for 3- or 4-byte pixels (`step`), RgbRowToL's signature: PNG's
// RGB and RGBA rows.
using RgbRowToLFn = void (*)(const uint8_t* src, size_t step, size_t pixels, uint8_t* dst);

}  // namespace offloop::codecs
