// TIFF -> 8-bit gray: the first page as Pillow 9.4's Image.open(p).convert('L')
// gives it, read through libtiff from memory (TIFFClientOpen over the input
// bytes, no file). Pillow's table of modes (TiffImagePlugin.OPEN_INFO) decides
// what is read and how its samples become L: bilevel and 2/4/8-bit gray (min-
// is-white inverted), 16-bit and little-endian 12-bit gray (clipped at 255,
// never inverted), gray with alpha, 8- and 16-bit RGB with or without extra samples (16-bit: the high
// byte; associated alpha unpremultiplied), palettes of 1-8 bits (the colour
// map's high bytes), YCbCr JPEG (libjpeg's RGB), other compressed YCbCr
// (libtiff's RGBA interface, Pillow's _decodeAsRGBA), 8-bit and little-endian
// 16-bit CMYK (CMYK -> RGB -> L), and separate planes where Pillow reads them
// right (through libtiff when compressed, its raw decoder's rules when not).
// 32-bit float gray ("F": truncated, clipped) and signed 16/32-bit or
// unsigned 32-bit gray ("I": clipped). Anything else Pillow cannot open,
// cannot convert to L (LAB) or misreads (uncompressed YCbCr), or that offloop
// does not read yet, is kUnsupported.
// Strips and tiles, every compression the libtiff build has (none, LZW,
// PackBits, Deflate, JPEG, CCITT). Like Pillow 9.4's TIFF loader, the
// Orientation tag (274) is applied when the image loads; autoOrient then
// applies it once more, as Pillow's exif_transpose does to the loaded image.
// Used through OpenGrayDecoder.
#pragma once

#include <memory>

#include "gray_decoder.h"

namespace offloop::codecs {

// The first page's header as libtiff reads it: the size (as loaded, i.e.
// after the Orientation tag's turn), the samples, and the orientation
// autoOrient applies. kUnsupported for a variant not read (named in the
// message), kCorrupt when libtiff refuses the directory, kTruncated when the
// data ends before the first directory does.
Status InspectTiff(const uint8_t* data, size_t size, HeaderInfo* info);

// ScreenPrefix for TIFF: the size from the first directory's ImageWidth and
// ImageLength entries, checked against `max_pixels` as soon as the prefix
// holds them; *need_more while it does not and more of the file is to come.
Status ScreenTiffPrefix(const uint8_t* data, size_t size, bool complete, uint64_t max_pixels, bool* need_more);

Status OpenTiffGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                           std::unique_ptr<GrayDecoder>* decoder) noexcept;

// libtiff's version ("4.5.0"), and one of its functions (where it was linked from).
const char* TiffLibraryVersion();
const void* TiffLibrarySymbol();

}  // namespace offloop::codecs
