// How many calls settled, and how, process-wide (every env, sync and async
// calls alike): the completed/failed/cancelled counts of poolStats().
#pragma once

#include <cstdint>

namespace offloop {

enum class SettledOutcome { kCompleted, kFailed, kCancelled };

struct SettledCounts {
  uint64_t completed = 0;
  uint64_t failed = 0;
  uint64_t cancelled = 0;
};

// Any thread.
void CountSettled(SettledOutcome outcome) noexcept;
SettledCounts ReadSettledCounts() noexcept;

}  // namespace offloop
