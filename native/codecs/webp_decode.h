// WebP -> 8-bit gray: the image (an animation's first frame) as Pillow 9.4's
// Image.open(p).convert('L') gives it. Pillow reads every WebP through
// libwebp's WebPAnimDecoder (RGBA, the first frame on a transparent black
// canvas); this decodes that frame with the same libwebp call and takes
// Pillow's L of R, G, B (alpha ignored, as Pillow's RGBA -> L does), 0
// outside the frame. Used through OpenGrayDecoder.
#pragma once

#include <memory>

#include "gray_decoder.h"

namespace offloop::codecs {

// The header as libwebp's WebPGetFeatures reads it (the VP8X canvas, else the
// VP8/VP8L frame's size) and, for a whole file, the first EXIF chunk's
// orientation as Pillow's getexif reads it. kTruncated when the data ends
// before the header does or the demuxer finds the file cut short; kCorrupt
// when libwebp refuses the header or the chunk layout (Pillow fails there too).
Status InspectWebp(const uint8_t* data, size_t size, HeaderInfo* info);

// ScreenPrefix for WebP: the size from the first bytes (libwebp's
// WebPGetFeatures), checked against `max_pixels`; *need_more while the
// header is still cut and more of the file is to come (`complete` false).
Status ScreenWebpPrefix(const uint8_t* data, size_t size, bool complete, uint64_t max_pixels, bool* need_more);

// The size WebPGetFeatures reads from the first bytes (the VP8X canvas, else
// the frame header); kTruncated while they are cut, kCorrupt if refused.
Status WebpHeaderSize(const uint8_t* data, size_t size, uint64_t* width, uint64_t* height);

Status OpenWebpGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                           std::unique_ptr<GrayDecoder>* decoder) noexcept;

// libwebp's version ("1.2.4"), and one of its functions (where it was linked from).
const char* WebpLibraryVersion();
const void* WebpLibrarySymbol();

}  // namespace offloop::codecs
