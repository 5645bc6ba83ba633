// Pillow 9.4 reads BMP in Python (BmpImagePlugin.py): the header picks a raw
// mode, then the raw decoder (RawDecode.c + Unpack.c) or, for RLE, a Python
// decoder that builds a linear buffer of indices (BmpRleDecoder) which the raw
// decoder then lays out. Both are reproduced here over the input bytes, with
// every offset computed in 64 bits and checked against the input's size.
#include "bmp_decode.h"

#include "own_decoder.h"

#include <cstdio>
#include <cstring>
#include <new>

namespace offloop::codecs {

namespace {

uint32_t Le16(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8); }
uint32_t Le32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

constexpr uint32_t kRaw = 0, kRle8 = 1, kRle4 = 2, kBitfields = 3;

// Bits one stored pixel takes in Pillow's raw mode (not the file's depth: a
// 4-bit file whose palette is a gray ramp is read as "L", 8 bits a pixel).
int RawBits(BmpLayout::Pixels p) {
  switch (p) {
    case BmpLayout::Pixels::kBits1:
    case BmpLayout::Pixels::kIndex1:
      return 1;
    case BmpLayout::Pixels::kIndex4:
      return 4;
    case BmpLayout::Pixels::kGray8:
    case BmpLayout::Pixels::kIndex8:
      return 8;
    case BmpLayout::Pixels::kBgr15:
    case BmpLayout::Pixels::kBgr16:
      return 16;
    case BmpLayout::Pixels::kBgr:
      return 24;
    default:
      return 32;
  }
}

// Pillow's BITFIELDS table (BmpImagePlugin SUPPORTED / MASK_MODES).
bool BitfieldPixels(uint32_t bits, const uint32_t m[4], BmpLayout::Pixels* out) {
  using P = BmpLayout::Pixels;
  if (bits == 32) {
    struct {
      uint32_t r, g, b, a;
      P p;
    } const k32[] = {
        {0xFF0000, 0xFF00, 0xFF, 0, P::kBgrx},          {0xFF000000, 0xFF0000, 0xFF00, 0, P::kXbgr},
        {0xFF000000, 0xFF0000, 0xFF00, 0xFF, P::kXbgr}, {0xFF, 0xFF00, 0xFF0000, 0xFF000000, P::kRgba},
        {0xFF0000, 0xFF00, 0xFF, 0xFF000000, P::kBgrx}, {0, 0, 0, 0, P::kBgrx},
    };
    for (const auto& k : k32) {
      if (m[0] == k.r && m[1] == k.g && m[2] == k.b && m[3] == k.a) {
        *out = k.p;
        return true;
      }
    }
    return false;
  }
  if (bits == 24 && m[0] == 0xFF0000 && m[1] == 0xFF00 && m[2] == 0xFF) {
    *out = P::kBgr;
    return true;
  }
  if (bits == 16 && m[0] == 0xF800 && m[1] == 0x7E0 && m[2] == 0x1F) {
    *out = P::kBgr16;
    return true;
  }
  if (bits == 16 && m[0] == 0x7C00 && m[1] == 0x3E0 && m[2] == 0x1F) {
    *out = P::kBgr15;
    return true;
  }
  return false;
}

void RowToGray(const BmpLayout& l, const uint8_t* in, uint32_t width, uint8_t* out) {
  using P = BmpLayout::Pixels;
  switch (l.pixels) {
    case P::kBits1:
      for (uint32_t x = 0; x < width; x++) out[x] = (in[x >> 3] >> (7 - (x & 7))) & 1 ? 255 : 0;
      break;
    case P::kIndex1:
      for (uint32_t x = 0; x < width; x++) out[x] = l.palette_l[(in[x >> 3] >> (7 - (x & 7))) & 1];
      break;
    case P::kIndex4:
      for (uint32_t x = 0; x < width; x++) out[x] = l.palette_l[(in[x >> 1] >> ((x & 1) ? 0 : 4)) & 15];
      break;
    case P::kGray8:
      std::memcpy(out, in, width);
      break;
    case P::kIndex8:
      for (uint32_t x = 0; x < width; x++) out[x] = l.palette_l[in[x]];
      break;
    case P::kBgr15:
    case P::kBgr16:
      // Unpack.c ImagingUnpackBGR15 / BGR16: each field scaled by 255 / max.
      for (uint32_t x = 0; x < width; x++, in += 2) {
        const uint32_t v = Le16(in);
        const uint32_t b = (v & 31) * 255 / 31;
        const uint32_t g = l.pixels == P::kBgr16 ? ((v >> 5) & 63) * 255 / 63 : ((v >> 5) & 31) * 255 / 31;
        const uint32_t r = l.pixels == P::kBgr16 ? ((v >> 11) & 31) * 255 / 31 : ((v >> 10) & 31) * 255 / 31;
        out[x] = PillowLuma(r, g, b);
      }
      break;
    case P::kBgr:
      for (uint32_t x = 0; x < width; x++, in += 3) out[x] = PillowLuma(in[2], in[1], in[0]);
      break;
    case P::kBgrx:
      for (uint32_t x = 0; x < width; x++, in += 4) out[x] = PillowLuma(in[2], in[1], in[0]);
      break;
    case P::kXbgr:
      for (uint32_t x = 0; x < width; x++, in += 4) out[x] = PillowLuma(in[3], in[2], in[1]);
      break;
    case P::kRgba:
      for (uint32_t x = 0; x < width; x++, in += 4) out[x] = PillowLuma(in[0], in[1], in[2]);
      break;
  }
}

}  // namespace

Status InspectBmp(const uint8_t* data, size_t size, HeaderInfo* info, BmpLayout* layout) {
  *info = HeaderInfo();
  *layout = BmpLayout();
  info->format = ImageFormat::kBmp;
  if (size < 18) return Status::Error(ErrorCode::kTruncated, "BMP data ends inside the file header");
  uint64_t offset = Le32(data + 10);
  const uint32_t header_size = Le32(data + 14);
  if (header_size != 12 && header_size != 40 && header_size != 64 && header_size != 108 && header_size != 124) {
    return Status::Error(ErrorCode::kUnsupported, "unsupported BMP header type (%u)", header_size);
  }
  if (size - 18 < header_size - 4) {
    return Status::Error(ErrorCode::kTruncated, "BMP data ends inside the info header");
  }
  const uint8_t* h = data + 18;
  size_t pos = 14 + size_t(header_size);
  uint64_t width, height, colors;
  uint32_t bits, compression = kRaw, padding;
  uint32_t masks[4] = {0, 0, 0, 0};
  if (header_size == 12) {  // OS/2 1.x: 16-bit sizes, 3-byte palette entries
    width = Le16(h);
    height = Le16(h + 2);
    bits = Le16(h + 6);
    colors = 0;
    padding = 3;
  } else {
    // A height whose top byte is 0xFF is negative: top-down rows (Pillow
    // looks at that byte only; 0x80000000 is a huge bottom-up image).
    layout->top_down = h[7] == 0xFF;
    width = Le32(h);
    height = layout->top_down ? (uint64_t{1} << 32) - Le32(h + 4) : Le32(h + 4);
    bits = Le16(h + 10);
    compression = Le32(h + 12);
    colors = Le32(h + 28);
    padding = 4;
    if (compression == kBitfields) {
      if (header_size >= 56) {
        for (int i = 0; i < 4; i++) masks[i] = Le32(h + 36 + 4 * i);
      } else {  // a 40-byte header: three masks follow it (Pillow reads no alpha mask)
        if (size - pos < 12) return Status::Error(ErrorCode::kTruncated, "BMP data ends inside the bitfield masks");
        for (int i = 0; i < 3; i++) masks[i] = Le32(data + pos + 4 * i);
        pos += 12;
      }
    }
  }
  info->width = static_cast<uint32_t>(width);
  info->height = static_cast<uint32_t>(height);
  info->bit_depth = static_cast<int>(bits);
  if (colors == 0) colors = bits < 64 ? uint64_t{1} << bits : ~uint64_t{0};
  if (offset == 14 + uint64_t{header_size} && bits <= 8) offset += 4 * colors;  // Pillow skips a palette there
  using P = BmpLayout::Pixels;
  bool indexed = bits <= 8;
  switch (bits) {
    case 1:
      layout->pixels = P::kIndex1;
      break;
    case 4:
      layout->pixels = P::kIndex4;
      break;
    case 8:
      layout->pixels = P::kIndex8;
      break;
    case 16:
      layout->pixels = P::kBgr15;
      break;
    case 24:
      layout->pixels = P::kBgr;
      break;
    case 32:
      layout->pixels = P::kBgrx;
      break;
    default:
      return Status::Error(ErrorCode::kUnsupported, "unsupported BMP pixel depth (%u)", bits);
  }
  if (compression == kBitfields) {
    if (!BitfieldPixels(bits, masks, &layout->pixels)) {
      return Status::Error(ErrorCode::kUnsupported, "unsupported BMP bitfields layout (%u-bit)", bits);
    }
  } else if (compression == kRle8 || compression == kRle4) {
    layout->rle = true;
    layout->rle4 = compression == kRle4;
  } else if (compression != kRaw) {
    return Status::Error(ErrorCode::kUnsupported, "unsupported BMP compression (%u)", compression);
  }
  for (int i = 0; i < 256; i++) layout->palette_l[i] = static_cast<uint8_t>(i);
  if (indexed) {
    if (colors > 65536)
      return Status::Error(ErrorCode::kUnsupported, "unsupported BMP palette size (%llu)",
                           static_cast<unsigned long long>(colors));
    // The palette is read where the headers end, as much of it as there is.
    const size_t wanted = size_t(padding) * size_t(colors);
    const size_t have = size - pos < wanted ? size - pos : wanted;
    const uint8_t* palette = data + pos;
    pos += have;
    // All entries gray (i, i, i), or black and white for two colours: Pillow
    // drops the palette and reads the rows as "L" or "1" instead.
    bool gray = true;
    for (uint64_t i = 0; i < colors && gray; i++) {
      const uint8_t v = colors == 2 ? (i == 0 ? 0 : 255) : static_cast<uint8_t>(i);
      const uint64_t at = i * padding;
      gray = at + 3 <= have && palette[at] == v && palette[at + 1] == v && palette[at + 2] == v;
    }
    if (gray) {
      layout->pixels = colors == 2 ? P::kBits1 : P::kGray8;
    } else {
      // ImagePalette.raw("BGRX" or "BGR") realised by putpalette: whole
      // entries only, more than 256 is an error, the ramp beyond.
      const size_t entries = have / padding;
      if (entries > 256) {
        return Status::Error(ErrorCode::kUnsupported, "BMP palette of %zu entries (Pillow reads 256 at most)", entries);
      }
      for (size_t i = 0; i < entries; i++) {
        const uint8_t* e = palette + i * padding;
        layout->palette_l[i] = PillowLuma(e[2], e[1], e[0]);
      }
    }
  }
  if (layout->rle && layout->pixels != P::kIndex1 && layout->pixels != P::kIndex4 && layout->pixels != P::kIndex8 &&
      layout->pixels != P::kGray8) {
    // Pillow hands RLE indices to the raw decoder as "P" (or "L"): a "1" or
    // RGB image has no such unpacker.
    return Status::Error(ErrorCode::kUnsupported, "unsupported BMP: RLE on a %u-bit %s image", bits,
                         layout->pixels == P::kBits1 ? "black-and-white" : "colour");
  }
  layout->data_offset = offset != 0 ? offset : pos;
  // Stored rows are padded to 4 bytes at the file's depth; the raw mode
  // must fit in that (it may not: a 4-bit gray ramp read as 8-bit "L").
  layout->stride = ((width * bits + 31) >> 3) & ~uint64_t{3};
  layout->row_bytes = (width * RawBits(layout->pixels) + 7) / 8;
  if (!layout->rle && layout->row_bytes > layout->stride) {
    return Status::Error(ErrorCode::kUnsupported, "unsupported BMP: %llu-byte rows for %llu bytes of pixels",
                         static_cast<unsigned long long>(layout->stride),
                         static_cast<unsigned long long>(layout->row_bytes));
  }
  info->components = indexed ? 1 : 3;
  std::snprintf(info->kind, sizeof info->kind, "bmp %u-bit %s%s %s", bits, indexed ? "palette" : "rgb",
                layout->rle                 ? (layout->rle4 ? " rle4" : " rle8")
                : compression == kBitfields ? " bitfields"
                                            : "",
                layout->top_down ? "top-down" : "bottom-up");
  if (width == 0 || height == 0 || width > 0xFFFFFFFFu || height > 0xFFFFFFFFu) {
    return Status::Error(ErrorCode::kCorrupt, "BMP with dimensions %llux%llu", static_cast<unsigned long long>(width),
                         static_cast<unsigned long long>(height));
  }
  return Status::Ok();
}

namespace {

class BmpGrayDecoder final : public OwnGrayDecoder {
 public:
  BmpGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : OwnGrayDecoder(data, size, options) {}

  Status Open() noexcept {
    Status status = InspectBmp(data_, size_, &info_, &layout_);
    if (status.ok()) status = CheckPixelLimit(info_.width, info_.height, options_.max_pixels);
    if (status.ok() && !layout_.rle) {
      // Pillow's raw decoder needs every row, the last one without its padding.
      const uint64_t end = layout_.data_offset + (uint64_t{info_.height} - 1) * layout_.stride + layout_.row_bytes;
      if (layout_.data_offset > size_ || end > size_) {
        status = Status::Error(ErrorCode::kTruncated, "BMP data ends before the last row (%llu of %llu bytes)",
                               static_cast<unsigned long long>(size_), static_cast<unsigned long long>(end));
      }
    }
    status_ = status;
    return status;
  }

  Status Start(GrayTarget target) noexcept override { return BeginStart(target); }

  Status Step(uint32_t rows, DecodeProgress* progress) noexcept override {
    const Status begun = BeginStep();
    if (!begun.ok()) return begun;
    if (rows == 0) rows = 1;
    const uint32_t height = info_.height;
    if (layout_.rle) {
      status_ = DecodeRle();
      if (!status_.ok()) return status_;
      done_ = height;
    } else {
      const uint32_t end = height - done_ < rows ? height : done_ + rows;
      for (; done_ < end; done_++) {
        const uint8_t* in = data_ + layout_.data_offset + uint64_t{done_} * layout_.stride;
        RowToGray(layout_, in, info_.width, TargetRow(done_));
      }
    }
    if (progress != nullptr) {
      progress->done = done_;
      progress->total = height;
      progress->finished = done_ == height;
    }
    return Status::Ok();
  }

 private:
  // Stored row `i` (the file's order) in the image: bottom-up unless top-down.
  uint8_t* TargetRow(uint64_t i) const {
    const uint64_t y = layout_.top_down ? i : info_.height - 1 - i;
    return target_.data + y * target_.stride;
  }

  // Appends `count` pixels of index `index` (or of the two RLE4 indices
  // alternating) to the linear buffer BmpRleDecoder builds; only the first
  // width*height of them are kept, as the raw decoder reads no more.
  void Emit(uint64_t count, uint8_t first, uint8_t second) {
    const uint64_t total = uint64_t{info_.width} * info_.height;
    for (uint64_t i = 0; i < count && length_ + i < total; i++) {
      const uint64_t at = length_ + i;
      TargetRow(at / info_.width)[at % info_.width] = layout_.palette_l[(i & 1) ? second : first];
    }
    length_ += count;
  }

  // BmpRleDecoder.decode of Pillow 9.4, step for step, over the file from
  // the data offset. Its quirks are kept: a delta reads two bytes, checks
  // them, then takes right/up from the two after; RLE4 absolute runs read
  // count/2 bytes (an odd count loses a pixel and misaligns); word alignment
  // is of the position in the file; a run past the row's end is cut in
  // encoded mode only.
  Status DecodeRle() {
    const uint64_t width = info_.width;
    const uint64_t total = width * info_.height;
    uint64_t p = layout_.data_offset;
    uint64_t x = 0;
    bool ended = false;  // a read came back short
    while (length_ < total) {
      if (p + 2 > size_) {
        ended = true;
        break;
      }
      const uint8_t count = data_[p], byte = data_[p + 1];
      p += 2;
      if (count != 0) {
        uint64_t n = count;
        if (x + n > width) n = width > x ? width - x : 0;
        if (layout_.rle4) {
          Emit(n, byte >> 4, byte & 15);
        } else {
          Emit(n, byte, byte);
        }
        x += n;
      } else if (byte == 0) {  // end of line: pad the buffer to a whole row
        Emit((width - length_ % width) % width, 0, 0);
        x = 0;
      } else if (byte == 1) {  // end of bitmap
        break;
      } else if (byte == 2) {  // delta
        if (p + 2 > size_) {
          ended = true;
          break;
        }
        p += 2;
        if (p + 2 > size_) return Status::Error(ErrorCode::kTruncated, "BMP RLE data ends inside a delta");
        const uint64_t right = data_[p], up = data_[p + 1];
        p += 2;
        Emit(right + up * width, 0, 0);
        x = length_ % width;
      } else {  // absolute run
        const uint64_t want = layout_.rle4 ? byte / 2 : byte;
        const uint64_t have = p >= size_ ? 0 : (size_ - p < want ? size_ - p : want);
        for (uint64_t i = 0; i < have; i++) {
          const uint8_t v = data_[p + i];
          if (layout_.rle4) {
            Emit(1, v >> 4, v >> 4);
            Emit(1, v & 15, v & 15);
          } else {
            Emit(1, v, v);
          }
        }
        p += have;
        if (have < want) {
          ended = true;
          break;
        }
        x += byte;
        if (p % 2 != 0) p++;
      }
      if (options_.cancel != nullptr && (length_ & 0xFFFF) == 0 && options_.cancel->load(std::memory_order_relaxed)) {
        return Status::Error(ErrorCode::kCancelled, "cancelled");
      }
    }
    if (length_ < total) {
      return Status::Error(ended ? ErrorCode::kTruncated : ErrorCode::kCorrupt,
                           "BMP RLE data %s after %llu of %llu pixels", ended ? "ends" : "stops (end of bitmap)",
                           static_cast<unsigned long long>(length_), static_cast<unsigned long long>(total));
    }
    return Status::Ok();
  }

  BmpLayout layout_;
  uint32_t done_ = 0;    // raw: stored rows converted
  uint64_t length_ = 0;  // RLE: pixels in Pillow's linear buffer so far
};

}  // namespace

Status OpenBmpGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                          std::unique_ptr<GrayDecoder>* decoder) noexcept {
  return OpenFormatDecoder<BmpGrayDecoder>(data, size, options, decoder);
}

}  // namespace offloop::codecs
