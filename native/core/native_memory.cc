#include "native_memory.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <windows.h>
#define OFFLOOP_HAVE_PAGES 1
#elif defined(__linux__) || defined(__APPLE__)
#include <sys/mman.h>
#define OFFLOOP_HAVE_PAGES 1
#endif

namespace offloop::memory {

#if defined(OFFLOOP_HAVE_PAGES)

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// The OS's side, one small function per step: zeroed pages of `bytes` (a
// multiple of kHugePage) or null, their release, and the hint that they may
// be backed by huge pages.
#if defined(_WIN32)
// Large pages need SeLockMemoryPrivilege, which processes seldom hold: the
// first refusal turns them off for good and ordinary pages serve.
std::atomic<bool> large_pages_refused{false};

void* MapZeroPages(size_t bytes) noexcept {
  const size_t large = GetLargePageMinimum();
  if (large != 0 && bytes % large == 0 && !large_pages_refused.load(std::memory_order_relaxed)) {
    void* base = VirtualAlloc(nullptr, bytes, MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES, PAGE_READWRITE);
    if (base != nullptr) return base;
    large_pages_refused.store(true, std::memory_order_relaxed);
  }
  return VirtualAlloc(nullptr, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}
void UnmapPages(void* base, size_t) noexcept { VirtualFree(base, 0, MEM_RELEASE); }
void AdviseHugePages(void*, size_t) noexcept {}  // decided when mapping
#else
void* MapZeroPages(size_t bytes) noexcept {
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return base == MAP_FAILED ? nullptr : base;
}
void UnmapPages(void* base, size_t bytes) noexcept { munmap(base, bytes); }
void AdviseHugePages([[maybe_unused]] void* data, [[maybe_unused]] size_t bytes) noexcept {
#if defined(MADV_HUGEPAGE)
  madvise(data, bytes, MADV_HUGEPAGE);
#endif
}
#endif

// Pages no owner uses any more, kept for reuse (process-wide: workers share
// them). Touching fresh memory means a page fault and a kernel zero-fill per
// page, which in a virtual machine can cost more than the kernel that
// writes them. Bounded, so a burst of large results leaves little behind.
//
// Results come back only when V8 collects their ArrayBuffers, and V8
// collects for external memory once about 64 MiB more of it was made since
// its last collection: a process that drops each result gets them back in
// batches of 64 MiB / size + 1 (9 for 1e6 squares of 8 MB, 17 at 4 MiB).
// With room for only 8, the rest were unmapped at each collection and the
// calls before the next one mapped fresh pages again (measured: one or two
// calls of 20-35 ms every nine, where the others took 0.5 ms; fresh pages on
// a VM cost up to 2 ms a MiB to fault in). kMaxEntries holds a whole batch;
// kMaxCachedBytes holds 24 results of 8 MiB (at 512 MiB a fuzz run's odd
// sizes left 360 MB behind).
//
// The cache serves bursts, so an idle process gives it all back: once no
// page was taken or given for kDefaultIdleTrim (jemalloc's decay time for
// unused pages), a thread of its own unmaps what is cached. That thread
// starts with the first cached mapping, sleeps while the cache is empty,
// and never keeps a process alive (Node waits for its loop, not for threads).
class PageCache {
 public:
  static constexpr size_t kMaxCachedBytes = size_t{192} << 20;
  static constexpr size_t kMaxEntries = 24;
  static constexpr std::chrono::milliseconds kDefaultIdleTrim{10000};

  PageCache() { free_.reserve(kMaxEntries); }  // Give never allocates

  // A cached mapping of at least `bytes` and not wastefully larger.
  bool Take(size_t bytes, Pages* out) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].capacity >= bytes && free_[i].capacity / 2 <= bytes) {
        *out = free_[i];
        cached_bytes_ -= free_[i].mapped;
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        last_used_ = std::chrono::steady_clock::now();
        return true;
      }
    }
    return false;
  }

  void Give(const Pages& pages) noexcept {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() < kMaxEntries && cached_bytes_ + pages.mapped <= kMaxCachedBytes) {
        free_.push_back(pages);  // within the reserved capacity
        cached_bytes_ += pages.mapped;
        last_used_ = std::chrono::steady_clock::now();
        StartTrimmerLocked();
        wake_.notify_one();
        return;
      }
    }
    UnmapPages(pages.base, pages.mapped);
  }

  size_t Size() {
    std::lock_guard<std::mutex> lock(mu_);
    return free_.size();
  }

  // Tests shorten the idle time; the sleeping trimmer re-reads it.
  void SetIdleTrim(std::chrono::milliseconds idle) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_trim_ = idle;
    wake_.notify_one();
  }

 private:
  void StartTrimmerLocked() noexcept {
    if (trimmer_started_) return;
    try {
      std::thread([this] { TrimWhenIdle(); }).detach();
      trimmer_started_ = true;
    } catch (const std::system_error&) {
      // No thread to be had: the cache keeps its bounded pages, as it did
      // before it had a trimmer; the next Give tries again.
    }
  }

  [[noreturn]] void TrimWhenIdle() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (free_.empty()) {
        wake_.wait(lock);
        continue;
      }
      const auto idle_until = last_used_ + idle_trim_;
      if (std::chrono::steady_clock::now() < idle_until) {
        wake_.wait_until(lock, idle_until);
        continue;
      }
      // Unmapped outside the lock: munmap of many huge pages takes a while,
      // and Take/Give must not wait for it.
      Pages idle[kMaxEntries];
      const size_t count = free_.size();
      for (size_t i = 0; i < count; ++i) idle[i] = free_[i];
      free_.clear();  // keeps the reserved capacity
      cached_bytes_ = 0;
      lock.unlock();
      for (size_t i = 0; i < count; ++i) UnmapPages(idle[i].base, idle[i].mapped);
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Pages> free_;
  size_t cached_bytes_ = 0;
  std::chrono::steady_clock::time_point last_used_{};
  std::chrono::milliseconds idle_trim_ = kDefaultIdleTrim;
  bool trimmer_started_ = false;
};

// Live pages by start address, so that a job can find the owner of any
// pointer into them.
class PageRegistry {
 public:
  void Add(const std::shared_ptr<Pages>& pages) {
    std::lock_guard<std::mutex> lock(mu_);
    live_[reinterpret_cast<uintptr_t>(pages->data)] = pages;
  }

  void Remove(const Pages* pages) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(reinterpret_cast<uintptr_t>(pages->data));
    if (it != live_.end() && it->second.expired()) live_.erase(it);
  }

  std::shared_ptr<Pages> Find(const void* address) {
    const auto at = reinterpret_cast<uintptr_t>(address);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.upper_bound(at);
    if (it == live_.begin()) return nullptr;
    --it;
    std::shared_ptr<Pages> pages = it->second.lock();
    if (pages == nullptr || at >= it->first + pages->capacity) return nullptr;
    return pages;
  }

  size_t Size() {
    std::lock_guard<std::mutex> lock(mu_);
    return live_.size();
  }

 private:
  std::mutex mu_;
  std::map<uintptr_t, std::weak_ptr<Pages>> live_;
};

// Never destroyed: finalizers and pool threads may release pages while the
// process exits.
PageCache& Cache() {
  static auto* cache = new PageCache();
  return *cache;
}

PageRegistry& Registry() {
  static auto* registry = new PageRegistry();
  return *registry;
}

// The last owner let go: forget the pages, then reuse or unmap them.
void ReleasePages(Pages* pages) noexcept {
  Registry().Remove(pages);
  Cache().Give(*pages);
  delete pages;
}

bool MapPages(size_t bytes, Pages* pages) {
  if (Cache().Take(bytes, pages)) return true;
  // Whole huge pages: the kernel backs only the 2 MiB ranges that lie wholly
  // inside the advised range with huge pages, and faults the rest in 4 KiB
  // at a time. For 1e6 squares (8,000,000 bytes) advising just the bytes
  // left 1.6 MiB to 417 small faults, measured at most of the time of a
  // process's first calls on a VM (a fault there is a trip to the
  // hypervisor); whole huge pages take 4 faults.
  const size_t huge_bytes = (bytes + kHugePage - 1) & ~(kHugePage - 1);
  if (huge_bytes < bytes || huge_bytes > SIZE_MAX - kHugePage) return false;  // wrapped
  const size_t total = huge_bytes + kHugePage;                                // one more for the alignment below
  void* base = MapZeroPages(total);
  if (base == nullptr) return false;
  const auto address = reinterpret_cast<uintptr_t>(base);
  const auto aligned = (address + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  AdviseHugePages(reinterpret_cast<void*>(aligned), huge_bytes);
  pages->base = base;
  pages->mapped = total;
  pages->data = reinterpret_cast<void*>(aligned);
  pages->capacity = total - (aligned - address);
  return true;
}

}  // namespace

std::shared_ptr<Pages> AllocatePages(size_t bytes) {
  Pages mapped;
  if (!MapPages(bytes, &mapped)) return nullptr;
  Pages* raw = new (std::nothrow) Pages(mapped);
  if (raw == nullptr) {
    Cache().Give(mapped);
    throw std::bad_alloc();
  }
  std::shared_ptr<Pages> pages(raw, ReleasePages);  // if this throws, it releases raw itself
  Registry().Add(pages);                            // likewise `pages`
  return pages;
}

std::shared_ptr<const void> FindOwner(const void* address) { return Registry().Find(address); }

PageCounts Counts() { return PageCounts{Registry().Size(), Cache().Size(), PageCache::kMaxEntries}; }

void SetIdleTrimForTests(std::chrono::milliseconds idle) { Cache().SetIdleTrim(idle); }

#else  // no page mapping: results are ordinary JS allocations

std::shared_ptr<Pages> AllocatePages(size_t) { return nullptr; }
std::shared_ptr<const void> FindOwner(const void*) { return nullptr; }
PageCounts Counts() { return PageCounts{}; }
void SetIdleTrimForTests(std::chrono::milliseconds) {}

#endif

}  // namespace offloop::memory
