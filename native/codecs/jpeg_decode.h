// JPEG -> 8-bit gray with libjpeg(-turbo), set up exactly as Pillow 9.4's
// JpegDecode.c: default ISLOW IDCT, fancy upsampling, block smoothing, the
// library's colour-space guess, RGBX (or CMYK) output, Pillow's L formula.
// Used through OpenGrayDecoder (gray_decoder.h).
#pragma once

#include <memory>

#include "gray_decoder.h"

namespace offloop::codecs {

Status OpenJpegGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                           std::unique_ptr<GrayDecoder>* decoder) noexcept;

// "2.1.5" etc. (LIBJPEG_TURBO_VERSION when built against libjpeg-turbo).
const char* JpegLibraryVersion();
// The address of a libjpeg function as bound at load time, to tell which
// copy of the library is in use (offloop's own, the system's...).
const void* JpegLibrarySymbol();

}  // namespace offloop::codecs
