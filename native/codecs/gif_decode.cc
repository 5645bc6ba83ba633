// The first frame of a GIF as Pillow 9.4 reads it: GifImagePlugin._open and
// _seek(0) for the blocks, load_prepare for the canvas, GifDecode.c for the
// LZW data. The LZW loop below is GifDecode.c's, state for state (including
// what it does with damaged data), over the whole input at once; where
// Pillow's answer depends on how ImageFile.load feeds it (64 KiB reads), that
// is replayed too, so a damaged file gets Pillow's verdict.
#include "gif_decode.h"

#include "own_decoder.h"

#include <cstdio>
#include <cstring>
#include <new>

namespace offloop::codecs {

namespace {

uint32_t Le16(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8); }

// A cursor over the input whose every read says whether the bytes were there.
struct Cursor {
  const uint8_t* data;
  size_t size;
  size_t pos;

  bool Byte(uint8_t* out) {
    if (pos >= size) return false;
    *out = data[pos++];
    return true;
  }
  bool Bytes(size_t n, const uint8_t** out) {
    if (size - pos < n) return false;
    *out = data + pos;
    pos += n;
    return true;
  }
  // GifImageFile.data(): a sub-block, or false at the terminator (length 0).
  // *ok is false when the data ends first.
  bool SubBlock(const uint8_t** body, size_t* length, bool* ok) {
    uint8_t n = 0;
    if (!Byte(&n)) {
      *ok = false;
      return false;
    }
    if (n == 0) return false;
    *length = n;
    if (!Bytes(n, body)) {
      *ok = false;
      return false;
    }
    return true;
  }
};

Status Truncated(const char* where) { return Status::Error(ErrorCode::kTruncated, "GIF data ends %s", where); }

// GifImageFile._is_palette_needed: anything but the ramp (i, i, i).
bool PaletteNeeded(const uint8_t* p, size_t length) {
  for (size_t i = 0; i + 3 <= length; i += 3) {
    if (p[i] != i / 3 || p[i + 1] != i / 3 || p[i + 2] != i / 3) return true;
  }
  return false;
}

void PaletteToL(const uint8_t* p, size_t length, uint8_t* palette_l) {
  const size_t entries = length / 3 > 256 ? 256 : length / 3;
  for (size_t i = 0; i < entries; i++) palette_l[i] = PillowLuma(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
}

}  // namespace

Status InspectGif(const uint8_t* data, size_t size, HeaderInfo* info, GifLayout* layout) {
  *info = HeaderInfo();
  *layout = GifLayout();
  info->format = ImageFormat::kGif;
  Cursor in{data, size, 0};
  const uint8_t* screen = nullptr;
  if (!in.Bytes(13, &screen)) return Truncated("inside the screen descriptor");
  uint32_t width = Le16(screen + 6), height = Le16(screen + 8);
  const uint8_t* global = nullptr;
  size_t global_length = 0;
  if (screen[10] & 0x80) {
    global_length = size_t{3} << ((screen[10] & 7) + 1);
    if (!in.Bytes(global_length, &global)) return Truncated("inside the global palette");
    if (!PaletteNeeded(global, global_length)) global = nullptr;  // a gray ramp: mode L
  }
  // The blocks before the first image descriptor: extensions are skipped
  // (a graphic control extension gives the transparency), bytes of no known
  // block are skipped one by one, a trailer or the end is an error.
  uint8_t tag = 0;
  for (;;) {
    if (!in.Byte(&tag)) return Truncated("before the first image");
    if (tag == ';') return Status::Error(ErrorCode::kCorrupt, "GIF with no image (trailer first)");
    if (tag == ',') break;
    if (tag != '!') continue;
    uint8_t label = 0;
    if (!in.Byte(&label)) return Truncated("inside an extension");
    const uint8_t* block = nullptr;
    size_t length = 0;
    bool ok = true;
    const bool have = in.SubBlock(&block, &length, &ok);
    if (!ok) return Truncated("inside an extension");
    if (label == 249) {
      if (!have || length < 3 || ((block[0] & 1) && length < 4)) {
        return Status::Error(ErrorCode::kCorrupt, "GIF graphic control extension too short");
      }
      if (block[0] & 1) layout->transparency = block[3];
    } else if (label == 254) {  // a comment: its sub-blocks, no more
      if (!have) continue;
      while (in.SubBlock(&block, &length, &ok)) {
      }
      if (!ok) return Truncated("inside a comment");
      continue;
    } else if (label == 255) {
      if (!have) return Status::Error(ErrorCode::kCorrupt, "GIF application extension with no data");
      // Pillow reads the NETSCAPE loop sub-block and takes its length: a
      // terminator there is an error (len(None)).
      if (length >= 11 && std::memcmp(block, "NETSCAPE2.0", 11) == 0 && !in.SubBlock(&block, &length, &ok)) {
        return ok ? Status::Error(ErrorCode::kCorrupt, "GIF NETSCAPE extension without its loop block")
                  : Truncated("inside an extension");
      }
    }
    // Then Pillow skips sub-blocks until a terminator, even when the first
    // read above already was one: the byte after it is read as a length.
    while (in.SubBlock(&block, &length, &ok)) {
    }
    if (!ok) return Truncated("inside an extension");
  }
  const uint8_t* d = nullptr;
  if (!in.Bytes(9, &d)) return Truncated("inside the image descriptor");
  layout->frame_x = Le16(d);
  layout->frame_y = Le16(d + 2);
  layout->frame_width = Le16(d + 4);
  layout->frame_height = Le16(d + 6);
  layout->interlaced = (d[8] & 0x40) != 0;
  // A frame reaching past the logical screen grows the image (Pillow's size).
  const uint32_t right = layout->frame_x + layout->frame_width;
  const uint32_t bottom = layout->frame_y + layout->frame_height;
  if (right > width) width = right;
  if (bottom > height) height = bottom;
  const uint8_t* palette = global;
  size_t palette_length = global_length;
  if (d[8] & 0x80) {
    const size_t local_length = size_t{3} << ((d[8] & 7) + 1);
    const uint8_t* local = nullptr;
    if (!in.Bytes(local_length, &local)) return Truncated("inside the local palette");
    // A local gray ramp makes the frame "L" even when a global palette exists.
    palette = PaletteNeeded(local, local_length) ? local : nullptr;
    palette_length = local_length;
  }
  uint8_t code_size = 0;
  if (!in.Byte(&code_size)) return Truncated("before the image data");
  layout->code_size = code_size;
  layout->data_offset = in.pos;
  for (int i = 0; i < 256; i++) layout->palette_l[i] = static_cast<uint8_t>(i);
  if (palette != nullptr) PaletteToL(palette, palette_length, layout->palette_l);
  // Pillow fills the canvas with the transparency index (else 0) before
  // the frame is decoded into it.
  layout->background_l = layout->palette_l[layout->transparency >= 0 ? layout->transparency : 0];
  info->width = width;
  info->height = height;
  info->components = 1;
  info->bit_depth = 8;
  info->progressive = layout->interlaced;
  std::snprintf(info->kind, sizeof info->kind, "gif %s %ux%u frame at %u,%u%s", palette != nullptr ? "palette" : "gray",
                layout->frame_width, layout->frame_height, layout->frame_x, layout->frame_y,
                layout->interlaced ? " interlaced" : "");
  if (width == 0 || height == 0) {
    return Status::Error(ErrorCode::kCorrupt, "GIF with dimensions %ux%u", width, height);
  }
  if (layout->frame_width == 0 || layout->frame_height == 0) {
    return Status::Error(ErrorCode::kCorrupt, "GIF first frame of %ux%u pixels", layout->frame_width,
                         layout->frame_height);
  }
  if (code_size > 12) {
    return Status::Error(ErrorCode::kCorrupt, "GIF LZW code size %u (12 at most)", code_size);
  }
  return Status::Ok();
}

namespace {

constexpr int kBits = 12;
constexpr int kTable = 1 << kBits;
constexpr int kBuffer = 1 << kBits;
// ImageFile.load reads the data in blocks of this many bytes (MAXBLOCK).
constexpr size_t kPillowReadBlock = 65536;

class GifGrayDecoder final : public OwnGrayDecoder {
 public:
  GifGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : OwnGrayDecoder(data, size, options) {}

  Status Open() noexcept {
    Status status = InspectGif(data_, size_, &info_, &layout_);
    if (status.ok()) status = CheckPixelLimit(info_.width, info_.height, options_.max_pixels);
    status_ = status;
    return status;
  }

  Status Start(GrayTarget target) noexcept override {
    const Status begun = BeginStart(target);
    if (!begun.ok()) return begun;
    clear_ = 1 << layout_.code_size;
    end_ = clear_ + 1;
    if (layout_.interlaced) {
      pass_ = 1;
      step_ = 8;
    }
    ptr_ = layout_.data_offset;
    read_end_ = size_ - ptr_ < kPillowReadBlock ? size_ : ptr_ + kPillowReadBlock;
    out_ = Row();
    return Status::Ok();
  }

  Status Step(uint32_t rows, DecodeProgress* progress) noexcept override {
    const Status begun = BeginStep();
    if (!begun.ok()) return begun;
    status_ = Run(rows_done_ + (rows == 0 ? 1 : rows));
    if (!status_.ok()) return status_;
    if (finished_) FillAroundFrame();
    if (progress != nullptr) {
      progress->done = finished_ ? layout_.frame_height : rows_done_;
      progress->total = layout_.frame_height;
      progress->finished = finished_;
    }
    return Status::Ok();
  }

 private:
  uint8_t* Row() const { return target_.data + size_t{layout_.frame_y + y_} * target_.stride + layout_.frame_x; }

  // Pillow's canvas starts filled with the background (the transparency
  // index, else 0) and the frame is decoded into it. Here the frame goes
  // first and the rest is filled once it is complete, so a screen of
  // gigapixels whose frame data is cut short costs no pass over its memory.
  void FillAroundFrame() {
    const uint8_t value = layout_.background_l;
    const uint32_t x0 = layout_.frame_x, x1 = x0 + layout_.frame_width;
    const uint32_t y0 = layout_.frame_y, y1 = y0 + layout_.frame_height;
    for (uint32_t y = 0; y < info_.height; y++) {
      uint8_t* row = target_.data + size_t{y} * target_.stride;
      if (y < y0 || y >= y1) {
        std::memset(row, value, info_.width);
      } else {
        std::memset(row, value, x0);
        std::memset(row + x1, value, info_.width - x1);
      }
    }
  }

  // GifDecode.c's NEWLINE: the next row, through the four interlace passes.
  // False when the frame is complete.
  bool NewLine() {
    x_ = 0;
    y_ += step_;
    rows_done_++;
    const uint32_t height = layout_.frame_height;
    while (y_ >= height) {
      switch (pass_) {
        case 1:
          y_ = 4;
          pass_ = 2;
          break;
        case 2:
          step_ = 4;
          y_ = 2;
          pass_ = 3;
          break;
        case 3:
          step_ = 2;
          y_ = 1;
          pass_ = 0;
          break;
        default:
          return false;
      }
    }
    out_ = Row();
    return true;
  }

  // Where Pillow's decode() would return to ImageFile.load for more data:
  // the next 64 KiB block, or "image file is truncated" at the end.
  bool MoreData() {
    if (read_end_ >= size_) return false;
    read_end_ = size_ - read_end_ < kPillowReadBlock ? size_ : read_end_ + kPillowReadBlock;
    return true;
  }

  Status Broken() { return Status::Error(ErrorCode::kCorrupt, "GIF LZW data is broken"); }

  // Decodes until `goal` rows are done or the frame is.
  Status Run(uint64_t goal) {
    while (!finished_ && rows_done_ < goal) {
      if (state_ == 1) {
        next_ = clear_ + 2;
        code_width_ = layout_.code_size + 1;
        code_mask_ = (1 << code_width_) - 1;
        buffer_index_ = kBuffer;
        state_ = 2;
      }
      const uint8_t* p;
      int count;
      if (buffer_index_ < kBuffer) {
        count = kBuffer - buffer_index_;
        p = &buffer_[buffer_index_];
        buffer_index_ = kBuffer;
      } else {
        while (bit_count_ < code_width_) {
          if (block_left_ > 0) {
            bit_buffer_ |= uint32_t(data_[ptr_++]) << bit_count_;
            block_left_--;
            bit_count_ += 8;
          } else {
            // A new sub-block, taken only when all of it has been read.
            if (ptr_ >= read_end_ || read_end_ - ptr_ < size_t{data_[ptr_]} + 1) {
              if (!MoreData()) return Truncated("inside the image data");
              continue;
            }
            block_left_ = data_[ptr_++];
          }
        }
        int c = static_cast<int>(bit_buffer_ & uint32_t(code_mask_));
        bit_buffer_ >>= code_width_;
        bit_count_ -= code_width_;
        if (c == clear_) {
          if (state_ != 2) state_ = 1;
          continue;
        }
        if (c == end_) {
          // Pillow returns here and asks for more data; what follows the
          // end code is decoded on if its reads find any.
          if (!MoreData()) return Truncated("(LZW end code) before the frame is complete");
          continue;
        }
        count = 1;
        p = &last_data_;
        if (state_ == 2) {
          if (c > clear_) return Broken();
          last_data_ = static_cast<uint8_t>(c);
          last_code_ = c;
          state_ = 3;
        } else {
          const int this_code = c;
          if (c > next_) return Broken();
          if (c == next_) {
            if (buffer_index_ <= 0) return Broken();
            buffer_[--buffer_index_] = last_data_;
            c = last_code_;
          }
          while (c >= clear_) {
            if (buffer_index_ <= 0 || c >= kTable) return Broken();
            buffer_[--buffer_index_] = table_data_[c];
            c = table_link_[c];
          }
          last_data_ = static_cast<uint8_t>(c);
          if (next_ < kTable) {
            table_data_[next_] = static_cast<uint8_t>(c);
            table_link_[next_] = static_cast<uint16_t>(last_code_);
            if (next_ == code_mask_ && code_width_ < kBits) {
              code_width_++;
              code_mask_ = (1 << code_width_) - 1;
            }
            next_++;
          }
          last_code_ = this_code;
        }
      }
      for (int i = 0; i < count; i++) {
        *out_++ = layout_.palette_l[p[i]];
        if (++x_ >= layout_.frame_width && !NewLine()) {
          finished_ = true;
          break;
        }
      }
    }
    return Status::Ok();
  }

  GifLayout layout_;
  bool finished_ = false;
  // GifDecode.c's state, named as there.
  int state_ = 1;
  int clear_ = 0, end_ = 0, next_ = 0;
  int code_width_ = 0, code_mask_ = 0;
  uint32_t bit_buffer_ = 0;
  int bit_count_ = 0;
  size_t block_left_ = 0;
  size_t ptr_ = 0, read_end_ = 0;
  int buffer_index_ = kBuffer;
  uint8_t buffer_[kBuffer] = {};
  uint8_t table_data_[kTable] = {};
  uint16_t table_link_[kTable] = {};
  uint8_t last_data_ = 0;
  int last_code_ = 0;
  int pass_ = 0;
  uint32_t step_ = 1;
  uint32_t x_ = 0, y_ = 0;
  uint64_t rows_done_ = 0;
  uint8_t* out_ = nullptr;
};

}  // namespace

Status OpenGifGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                          std::unique_ptr<GrayDecoder>* decoder) noexcept {
  return OpenFormatDecoder<GifGrayDecoder>(data, size, options, decoder);
}

}  // namespace offloop::codecs
