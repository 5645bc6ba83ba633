#include "fault_injection.h"

#include <atomic>

namespace offloop::fault {

namespace {
std::atomic<uint32_t> g_armed[static_cast<int>(Point::kCount)];
}  // namespace

void Arm(Point point, uint32_t count) { g_armed[static_cast<int>(point)].store(count, std::memory_order_relaxed); }

void DisarmAll() {
  for (auto& armed : g_armed) armed.store(0, std::memory_order_relaxed);
}

bool Trip(Point point) {
  std::atomic<uint32_t>& armed = g_armed[static_cast<int>(point)];
  uint32_t left = armed.load(std::memory_order_relaxed);
  while (left > 0) {
    if (armed.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

}  // namespace offloop::fault
