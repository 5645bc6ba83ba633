#include "output_buffer.h"

#include <cstring>

namespace offloop::codecs {

bool OutputBuffer::Reserve(size_t extra) noexcept {
  if (capacity_ - size_ >= extra) return true;
  if (extra > SIZE_MAX - size_) return false;
  size_t want = size_ + extra;
  size_t capacity = capacity_ < 4096 ? 4096 : capacity_;
  while (capacity < want) capacity = capacity > SIZE_MAX / 2 ? want : capacity * 2;
  void* grown = std::realloc(data_, capacity);
  if (grown == nullptr) return false;
  data_ = static_cast<uint8_t*>(grown);
  capacity_ = capacity;
  return true;
}

bool OutputBuffer::Append(const uint8_t* bytes, size_t count) noexcept {
  if (count == 0) return true;
  if (!Reserve(count)) return false;
  std::memcpy(data_ + size_, bytes, count);
  size_ += count;
  return true;
}

}  // namespace offloop::codecs
