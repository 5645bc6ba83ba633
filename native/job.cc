#include "job.h"

#include <chrono>

namespace offloop {

namespace {

// Progress reaches JS at most this often per job: frequent enough for a
// progress bar, rare enough to cost nothing next to the work.
constexpr int64_t kProgressIntervalNs = 16'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Job::Job(size_t chunk_count, uint64_t total_items)
    : chunk_count_(chunk_count == 0 ? 1 : chunk_count), total_items_(total_items), last_progress_ns_(NowNs()) {}

Napi::Value Job::Result(Napi::Env env) { return env.Undefined(); }

bool Job::ExecuteChunk(size_t index) {
  if (!cancelled()) {
    RunChunk(index);
    items_done_.fetch_add(ChunkItems(index), std::memory_order_relaxed);
    if (wants_progress_) MaybeReportProgress();
  }
  return FinishChunks(1);
}

bool Job::SkipChunks(size_t count) { return count > 0 && FinishChunks(count); }

bool Job::FinishChunks(size_t count) {
  // acq_rel: the last finisher sees every other chunk's writes before it
  // tells the sink, and the sink's main-thread handoff publishes them.
  size_t before = finished_chunks_.fetch_add(count, std::memory_order_acq_rel);
  return before + count == chunk_count_;
}

void Job::NotifyDone() {
  if (sink_ != nullptr) sink_->OnJobDone(shared_from_this());
}

void Job::MaybeReportProgress() {
  int64_t now = NowNs();
  int64_t last = last_progress_ns_.load(std::memory_order_relaxed);
  if (now - last < kProgressIntervalNs) return;
  if (!last_progress_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  sink_->OnJobProgress(shared_from_this());
}

}  // namespace offloop
