// The orientation of an image as Pillow 9.4's ImageOps.exif_transpose reads
// it (Image.getexif): the EXIF Orientation tag of IFD0, or, when the EXIF
// data has no such tag, the first `tiff:Orientation` of the image's XMP
// text. Only what these need is parsed; nothing here allocates but zlib's
// inflate of a compressed PNG text chunk and the bytes of a PNG's hex EXIF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace offloop::codecs {

struct ExifOrientation {
  // IFD0 has an Orientation entry Pillow keeps (a known type, its data in
  // bounds, not empty): then XMP is not consulted, whatever its value.
  bool present = false;
  // 1..8 when the (first) value equals one of them, else 0.
  int value = 0;
};

// Reads IFD0 of a TIFF structure ("II*\0", "MM\0*" and Pillow's two other
// classic prefixes first). As Pillow: the last Orientation entry wins, a
// value of any numeric type counts by its first element (SHORT, LONG,
// signed, rational, float), BYTE, ASCII and UNDEFINED values are present
// but no orientation, entries of unknown types or out of bounds are
// skipped, and a truncated IFD keeps the entries before the cut.
ExifOrientation TiffOrientation(const uint8_t* data, size_t size);

// The digit after the first `tiff:Orientation="` or `tiff:Orientation>` in
// the text (Pillow's regular expression), as 1..8, or 0 (none, or 0 or 9).
// -1 when the text has no match at all.
int XmpOrientation(const uint8_t* text, size_t size);

// What a PNG text chunk (tEXt, zTXt or iTXt, by `name`) holding the XMP
// packet (keyword "XML:com.adobe.xmp") says, by XmpOrientation of its
// (inflated) text: -2 when the chunk is not the XMP packet or Pillow would
// not keep it (bad compression, text that is not UTF-8 in an iTXt).
int PngXmpOrientation(const char* name, const uint8_t* body, size_t size);

// What a PNG text chunk (tEXt, zTXt or iTXt, by `name`) gives Pillow 9.4's
// getexif besides XMP:
//  - kRawProfile: "Raw profile type exif", ImageMagick's hex dump of the
//    EXIF, which getexif reads when the image has no "exif" entry: the text
//    from its fourth line on, newlines dropped, through bytes.fromhex. `exif`
//    holds the bytes, or `undecodable` is set where fromhex raises (Pillow's
//    getexif then fails; here the profile gives no orientation).
//  - kExifText: a chunk keyed "exif", which Pillow stores as the "exif" entry
//    itself, as an eXIf chunk: a tEXt's bytes in `exif`; a zTXt's or iTXt's
//    text is a string, on which Pillow's getexif fails (`undecodable`).
//  - kOther: any other chunk, or one Pillow does not keep (a bad iTXt, text
//    over Pillow's 1 MiB inflated limit, which makes it refuse the file).
struct PngExifText {
  enum Kind { kOther, kRawProfile, kExifText } kind = kOther;
  std::vector<uint8_t> exif;
  bool undecodable = false;
};
PngExifText ReadPngExifText(const char* name, const uint8_t* body, size_t size);

}  // namespace offloop::codecs
