// BMP -> 8-bit gray, offloop's own reader (no library), giving the values of
// Pillow 9.4's BmpImagePlugin + raw/RLE decoding + convert('L'): see README.md
// for the rules and where they come from. Used through OpenGrayDecoder.
#pragma once

#include <memory>

#include "gray_decoder.h"

namespace offloop::codecs {

// How the pixel data is laid out, from the headers alone.
struct BmpLayout {
  // Pillow's raw mode for the rows: what one stored pixel is.
  enum class Pixels {
    kBits1,   // "1": 1 bit, 0 or 255 (a palette of black and white)
    kGray8,   // "L": 8 bits, the value itself (a palette that is a gray ramp)
    kIndex1,  // "P;1", "P;4", "P": palette indices
    kIndex4,
    kIndex8,
    kBgr15,  // 16 bits, 5-5-5 (BI_RGB, or BITFIELDS 0x7C00/0x3E0/0x1F)
    kBgr16,  // 16 bits, 5-6-5 (BITFIELDS 0xF800/0x7E0/0x1F)
    kBgr,    // 24 bits
    kBgrx,   // 32 bits, R G B at bytes 2 1 0 ("BGRX", "BGRA")
    kXbgr,   // 32 bits, R G B at bytes 3 2 1 ("XBGR", "ABGR")
    kRgba,   // 32 bits, R G B at bytes 0 1 2
  };
  Pixels pixels = Pixels::kIndex8;
  bool rle = false;  // RLE8 or RLE4 (indices only)
  bool rle4 = false;
  bool top_down = false;
  uint64_t data_offset = 0;     // where the pixel data starts (may be past the end)
  uint64_t stride = 0;          // raw: bytes from one stored row to the next
  uint64_t row_bytes = 0;       // raw: bytes of one row's pixels (the last row needs no more)
  uint8_t palette_l[256] = {};  // L of each index: the palette's, Pillow's ramp past its end
};

// Parses the file header, the info header, BITFIELDS masks and the palette.
// kUnsupported for what Pillow refuses to open (header sizes, depths,
// compressions, bitfield layouts it does not know), kTruncated when the data
// ends inside the headers, kCorrupt for impossible values.
Status InspectBmp(const uint8_t* data, size_t size, HeaderInfo* info, BmpLayout* layout);

Status OpenBmpGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                          std::unique_ptr<GrayDecoder>* decoder) noexcept;

}  // namespace offloop::codecs
