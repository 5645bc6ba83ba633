// The row bookkeeping of a band-by-band encoder (the JPEG one): Start once, rows in
// order until the image is complete, Finish once. Each encoder calls these
// checks before it touches its library, so a misuse is an error, never a
// write past the image.
#pragma once

#include <cstddef>
#include <cstdint>

#include "errors.h"

namespace offloop::codecs {

class BandRows {
 public:
  bool started() const { return started_; }
  uint32_t width() const { return width_; }
  uint32_t height() const { return height_; }

  void Begin(uint32_t width, uint32_t height) {
    started_ = true;
    width_ = width;
    height_ = height;
  }
  // Whether `count` more rows of `stride` bytes at `rows` may be written now.
  Status CheckWrite(const uint8_t* rows, size_t stride, uint32_t count) const {
    if (!started_ || finished_ || rows == nullptr || stride < width_ || count > height_ - written_) {
      return Status::Error(ErrorCode::kInvalidArgument, "bad WriteRows");
    }
    return Status::Ok();
  }
  void Wrote(uint32_t count) { written_ += count; }
  // Whether the image is complete and may be finished; marks it finished.
  Status CheckFinish() {
    if (!started_ || finished_ || written_ != height_) {
      return Status::Error(ErrorCode::kInvalidArgument, "Finish after %u of %u rows", written_, height_);
    }
    finished_ = true;
    return Status::Ok();
  }

 private:
  uint32_t width_ = 0;
  uint32_t height_ = 0;
  uint32_t written_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace offloop::codecs
