// Large scratch buffers the codecs ask their caller for: the PNG whole-
// inflate path's raw rows, the PNG encoder's joined filtered rows and its
// deflated stream. The addon hands out pages of its result page cache
// (core/native_memory.h), so that file after file reuses mapped pages; on
// this project's VM a fresh mapping cost about 20 us a 4 KiB page, 45 ms
// for 9 MB. The codecs themselves default to operator new[].
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace offloop::codecs {

// `bytes` of any content, freed when *owner lets go; null if none to be had.
using ScratchAllocator = uint8_t* (*)(size_t bytes, std::shared_ptr<void>* owner);

// The default: operator new[] (nothrow).
inline uint8_t* HeapScratch(size_t bytes, std::shared_ptr<void>* owner) noexcept {
  uint8_t* data = new (std::nothrow) uint8_t[bytes];
  if (data == nullptr) return nullptr;
  try {
    owner->reset(data, std::default_delete<uint8_t[]>());
  } catch (const std::bad_alloc&) {
    return nullptr;  // the shared_ptr deleted `data`
  }
  return data;
}

inline uint8_t* AllocateScratch(ScratchAllocator scratch, size_t bytes, std::shared_ptr<void>* owner) noexcept {
  return (scratch != nullptr ? scratch : HeapScratch)(bytes, owner);
}

}  // namespace offloop::codecs
