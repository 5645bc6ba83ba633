// 8-bit gray -> 8-bit gray PNG (non-interlaced), lossless: decoding gives
// the input back. Rows filtered as libpng does by default, deflated by zlib
// at the given level; the bytes differ from Pillow's (its own encoder), the
// pixels do not. One thread: the segments of png_segments.h one after the
// other (a file job hands them to the pool instead).
#pragma once

#include <cstddef>
#include <cstdint>

#include "errors.h"
#include "output_buffer.h"
#include "scratch.h"

namespace offloop::codecs {

struct PngEncodeOptions {
  int compression_level = 6;           // zlib 0..9; Pillow's and zlib's default is 6
  ScratchAllocator scratch = nullptr;  // AssemblePng's: see png_segments.h
};

Status EncodeGrayPng(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                     const PngEncodeOptions& options, OutputBuffer* out) noexcept;

}  // namespace offloop::codecs
