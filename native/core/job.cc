#include "job.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <new>
#include <system_error>

#include "fault_injection.h"

namespace offloop {

namespace {

// Progress reaches JS at most this often per job: frequent enough for a
// progress bar, rare enough to cost nothing next to the work.
constexpr int64_t kProgressIntervalNs = 16'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Job::Job(size_t chunk_count, uint64_t total_items)
    : chunk_count_(chunk_count == 0 ? 1 : chunk_count), total_items_(total_items), last_progress_ns_(NowNs()) {}

void Job::KeepMemory(std::shared_ptr<const void> owner) {
  if (owner != nullptr) memory_owners_.push_back(std::move(owner));
}

bool Job::ExecuteChunk(size_t index) noexcept {
  RunChunkCounted(index);
  return FinishChunks(1);
}

void Job::RunChunkCounted(size_t index) noexcept {
  if (!cancelled()) {
    try {
      if (fault::Trip(fault::Point::kChunk)) throw std::bad_alloc();
      RunChunk(index);
      items_done_.fetch_add(ChunkItems(index), std::memory_order_relaxed);
      if (wants_progress_) MaybeReportProgress();
    } catch (const std::bad_alloc&) {
      Fail("ERR_OFFLOOP_OUT_OF_MEMORY", "offloop: a pool thread ran out of memory");
    } catch (const std::exception& error) {
      Fail("ERR_OFFLOOP_NATIVE", error.what());
    } catch (...) {
      Fail("ERR_OFFLOOP_NATIVE", "offloop: a pool thread failed");
    }
  }
}

void Job::Fail(const char* code, const char* message) noexcept {
  JobFailure failure;
  failure.code = code;
  std::snprintf(failure.message, sizeof failure.message, "%s", message);
  FailWith(failure);
}

void Job::FailWith(const JobFailure& failure) noexcept {
  if (failing_.exchange(true, std::memory_order_relaxed)) return;  // the first failure wins
  failure_ = failure;
  failed_.store(true, std::memory_order_release);
  Cancel();  // the job's other chunks are skipped
}

void Job::AddItemsDone(uint64_t items) noexcept {
  items_done_.fetch_add(items, std::memory_order_relaxed);
  if (wants_progress_) MaybeReportProgress();
}

bool Job::SkipChunks(size_t count) noexcept { return count > 0 && FinishChunks(count); }

bool Job::FinishChunks(size_t count) noexcept {
  // acq_rel: the last finisher sees every other chunk's writes before it
  // tells the sink, and the sink's handoff to the JS thread publishes them.
  size_t before = finished_chunks_.fetch_add(count, std::memory_order_acq_rel);
  return before + count == chunk_count_;
}

void Job::NotifyDone() noexcept {
  if (sink_ != nullptr) sink_->OnJobDone(shared_from_this());
}

void Job::MaybeReportProgress() noexcept {
  int64_t now = NowNs();
  int64_t last = last_progress_ns_.load(std::memory_order_relaxed);
  if (now - last < kProgressIntervalNs) return;
  if (!last_progress_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  if (progress_outstanding_.exchange(true, std::memory_order_relaxed)) return;  // JS has not caught up
  sink_->OnJobProgress(shared_from_this());
}

}  // namespace offloop
