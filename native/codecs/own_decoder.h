// What offloop's own readers (GIF, BMP: no codec library) share: the input
// they decode in place, the options, the decoder's lasting status, and the
// checks Start and Step begin with.
#pragma once

#include "gray_decoder.h"

namespace offloop::codecs {

class OwnGrayDecoder : public GrayDecoder {
 protected:
  OwnGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : data_(data), size_(size), options_(options) {}

  // Start's checks; on Ok the target is taken and the decoder is started.
  Status BeginStart(GrayTarget target) {
    if (!status_.ok()) return status_;
    if (started_) return Status::Error(ErrorCode::kInvalidArgument, "decoder already started");
    if (target.data == nullptr || target.stride < info_.width) {
      return Status::Error(ErrorCode::kInvalidArgument, "target too small for %u pixels a row", info_.width);
    }
    started_ = true;
    target_ = target;
    return Status::Ok();
  }

  // Step's checks: an earlier error again, Step before Start, the cancel flag.
  Status BeginStep() {
    if (!status_.ok()) return status_;
    if (!started_) return Status::Error(ErrorCode::kInvalidArgument, "Step before Start");
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
      return status_ = Status::Error(ErrorCode::kCancelled, "cancelled");
    }
    return Status::Ok();
  }

  const uint8_t* data_;
  size_t size_;
  DecodeOptions options_;
  GrayTarget target_;
  Status status_;  // after an error, every call returns it

 private:
  bool started_ = false;
};

}  // namespace offloop::codecs
