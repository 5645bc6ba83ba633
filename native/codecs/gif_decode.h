// GIF -> 8-bit gray: the first frame as Pillow 9.4's Image.open(p).convert('L')
// gives it, with offloop's own LZW reader (no library). The rules, and where
// they come from in Pillow's GifImagePlugin.py and GifDecode.c, are in
// README.md. Used through OpenGrayDecoder.
#pragma once

#include <memory>

#include "gray_decoder.h"

namespace offloop::codecs {

// What the blocks before the first frame's image data say.
struct GifLayout {
  uint32_t frame_x = 0;  // the frame's place on the canvas
  uint32_t frame_y = 0;
  uint32_t frame_width = 0;
  uint32_t frame_height = 0;
  bool interlaced = false;
  int code_size = 0;       // the LZW minimum code size byte, as stored
  size_t data_offset = 0;  // the first byte after it
  int transparency = -1;   // the graphic control extension's index, or -1
  // Gray of each index: the frame's palette (local, else global) through
  // Pillow's L formula, the ramp past its end; the index itself when Pillow
  // reads the frame as "L" (no palette, or one that is a gray ramp).
  uint8_t palette_l[256] = {};
  // The canvas value outside the frame: palette_l[transparency], else of 0.
  uint8_t background_l = 0;
};

// Walks the header and the blocks up to the first frame's image data.
// info->width/height are Pillow's size: the logical screen, grown to hold
// the first frame if it reaches past it. kTruncated when the data ends on the
// way (Pillow fails there too, whatever it read short).
Status InspectGif(const uint8_t* data, size_t size, HeaderInfo* info, GifLayout* layout);

Status OpenGifGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                          std::unique_ptr<GrayDecoder>* decoder) noexcept;

}  // namespace offloop::codecs
