// How large outputs are written. Shared by squares.h and grayscale.h.
#pragma once

#include <cstddef>

namespace offloop::kernels {

// Non-temporal ("streaming") stores write whole cache lines straight to
// memory: no read-for-ownership of the destination and no eviction of useful
// cache contents, which pays off only when the output is too large to be read
// back from cache soon. kAuto streams when one call writes at least
// kStreamingBytes and the output does not overlap the input. Callers that
// split one large job into chunks should decide from the whole job's size
// and pass kStream or kCache explicitly.
enum class StoreMode : int { kAuto, kCache, kStream };
constexpr size_t kStreamingBytes = size_t{4} << 20;  // above a core's L2

}  // namespace offloop::kernels
