// Failure injection for tests: makes the next N occurrences of a rare
// failure (a thread that cannot start, an allocation that fails, a wake-up
// that is refused) happen on demand, so the paths that handle them are run
// by the test suite instead of trusted. Off by default; when nothing is
// armed each check is one relaxed atomic load.
#pragma once

#include <cstdint>

namespace offloop::fault {

enum class Point : int {
  kThreadStart,       // starting a pool thread throws std::system_error
  kChunk,             // a chunk throws std::bad_alloc before its kernel runs
  kSubmit,            // registering an async job throws std::bad_alloc
  kWake,              // waking an environment's JS thread fails
  kFileWriteNoSpace,  // writing an output file fails with ENOSPC
  kFileReadIo,        // reading an input file fails with EIO
  kCount,
};

// Arms `point` for its next `count` occurrences (0 disarms it).
void Arm(Point point, uint32_t count);
void DisarmAll();
// True when this occurrence must fail; consumes one armed count.
bool Trip(Point point);

}  // namespace offloop::fault
