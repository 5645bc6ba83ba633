// Encoded bytes in one malloc'd block that the encoders' C callbacks can grow
// without exceptions (a failed growth is reported, never thrown).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace offloop::codecs {

class OutputBuffer {
 public:
  OutputBuffer() = default;
  ~OutputBuffer() { std::free(data_); }
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  const uint8_t* data() const { return data_; }
  // Hands the block (malloc'd; the new owner frees it) over, leaving this empty.
  uint8_t* Release() {
    uint8_t* data = data_;
    data_ = nullptr;
    size_ = capacity_ = 0;
    return data;
  }
  size_t size() const { return size_; }
  void Clear() { size_ = 0; }

  // Room for at least `extra` more bytes after size(). False if out of memory.
  bool Reserve(size_t extra) noexcept;
  bool Append(const uint8_t* bytes, size_t count) noexcept;

  // For writers that fill the free space themselves (libjpeg's destination).
  uint8_t* free_space() { return data_ + size_; }
  size_t free_bytes() const { return capacity_ - size_; }
  void Commit(size_t count) { size_ += count; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace offloop::codecs
