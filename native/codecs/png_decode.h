// PNG -> 8-bit gray with libpng's progressive reader (zlib underneath), giving
// the values of Pillow 9.4's own PNG decoder + unpackers + convert('L').
// Used through OpenGrayDecoder (gray_decoder.h).
#pragma once

#include <memory>

#include "gray_decoder.h"

namespace offloop::codecs {

Status OpenPngGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                          std::unique_ptr<GrayDecoder>* decoder) noexcept;

// libpng's and zlib's versions, e.g. "1.6.39", "1.2.13".
const char* PngLibraryVersion();
const char* ZlibVersion();
// Addresses of a libpng and a zlib function as bound at load time (see
// JpegLibrarySymbol): a process may hold several copies of zlib.
const void* PngLibrarySymbol();
const void* ZlibSymbol();

// Whether this build inflates a well-formed PNG's image data whole with
// libdeflate, and how many decodes have so far (for tests: the libpng path
// gives the same pixels, so only this tells which path ran).
bool PngInflatesWhole();
uint64_t PngWholeInflates();

}  // namespace offloop::codecs
