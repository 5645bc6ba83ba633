// Pages that offloop maps itself for large results, and who owns them.
// No Node-API here.
//
// A large result is an external ArrayBuffer over pages from the OS (see
// bindings/output.cc for why). Its memory has several owners: JS (until V8
// collects the ArrayBuffer, or the environment is torn down) and every job
// that reads or writes it. Node frees an environment's external buffers
// BEFORE it runs any env cleanup hook (Node 20, 22 and 24 alike), so the JS
// finalizer cannot be the one to release the pages while a pool thread may
// still write them. Here the pages are reference-counted: the finalizer
// drops JS's share, each job holds its own (Job::KeepMemory), and the pages
// return to the reuse cache, or to the OS, only when the last owner lets go.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

namespace offloop::memory {

// Results from this size on are mapped by offloop (smaller ones are
// ordinary JS allocations). The JS layer reads it from the binding.
constexpr size_t kNativeOutputBytes = size_t{4} << 20;

struct Pages {
  void* base = nullptr;  // what the OS mapped (mmap, VirtualAlloc)
  size_t mapped = 0;     // bytes mapped
  void* data = nullptr;  // huge-page aligned start of the usable bytes
  size_t capacity = 0;   // usable bytes from data
};

// Pages for a result of `bytes`, zero or reused, or null where this
// platform maps no pages or the OS refuses. Registered, so that FindOwner
// finds them, until the last owner drops them.
std::shared_ptr<Pages> AllocatePages(size_t bytes);

// The owner share of the live pages that contain `address`, or null when
// offloop did not map that address (ordinary JS memory, owned by V8).
std::shared_ptr<const void> FindOwner(const void* address);

// Counters for tests: mappings alive (owned by JS or a job), cached for
// reuse, and the most the cache keeps.
struct PageCounts {
  size_t live = 0;
  size_t cached = 0;
  size_t max_cached = 0;
};
PageCounts Counts();

// How long the page cache waits with no page taken or given before it
// unmaps what it holds (10 s unless a test shortens it).
void SetIdleTrimForTests(std::chrono::milliseconds idle);

}  // namespace offloop::memory
