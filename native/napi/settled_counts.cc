#include "napi/settled_counts.h"

#include <atomic>

namespace offloop {

namespace {

std::atomic<uint64_t> g_completed{0};
std::atomic<uint64_t> g_failed{0};
std::atomic<uint64_t> g_cancelled{0};

}  // namespace

void CountSettled(SettledOutcome outcome) noexcept {
  switch (outcome) {
    case SettledOutcome::kCompleted:
      g_completed.fetch_add(1, std::memory_order_relaxed);
      break;
    case SettledOutcome::kFailed:
      g_failed.fetch_add(1, std::memory_order_relaxed);
      break;
    case SettledOutcome::kCancelled:
      g_cancelled.fetch_add(1, std::memory_order_relaxed);
      break;
  }
}

SettledCounts ReadSettledCounts() noexcept {
  return SettledCounts{g_completed.load(std::memory_order_relaxed), g_failed.load(std::memory_order_relaxed),
                       g_cancelled.load(std::memory_order_relaxed)};
}

}  // namespace offloop
