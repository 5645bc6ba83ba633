#include "pillow_gray.h"

namespace offloop::codecs {

void RgbRowToL(const uint8_t* src, size_t step, size_t pixels, uint8_t* dst) {
  for (size_t i = 0; i < pixels; i++, src += step) dst[i] = PillowLuma(src[0], src[1], src[2]);
}

void RgbxRowToLScalar(const uint8_t* rgbx, size_t pixels, uint8_t* dst) { RgbRowToL(rgbx, 4, pixels, dst); }

void AdobeCmykRowToL(const uint8_t* src, size_t pixels, uint8_t* dst) {
  for (size_t i = 0; i < pixels; i++, src += 4) dst[i] = PillowAdobeCmykToL(src);
}

}  // namespace offloop::codecs
