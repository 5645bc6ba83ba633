// A unit of offloop work: a kernel call split into independent chunks.
//
// Lifecycle and threads:
//  1. Main thread: a binding validates its arguments, builds a Job subclass
//     (copying plain values only, never N-API handles) and hands it to the
//     pool, or runs it inline when it is small.
//  2. Pool threads: RunChunk(i) for every chunk index, in any order and
//     concurrently. Chunks of a cancelled job are skipped.
//  3. The thread that finishes the last chunk calls the job's sink (an env's
//     completion queue, or a waiting synchronous caller).
//  4. Main thread: the env settles the job (Result or Overflow, see
//     env_context.h) and drops the references that kept its buffers alive.
// A Job is shared (std::shared_ptr) by the pool and the env until both are
// done with it; RAII frees everything.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <napi.h>

namespace offloop {

class EnvContext;
class Job;

// Told once, by whichever thread finished or cancelled the job's last chunk.
class JobSink {
 public:
  virtual ~JobSink() = default;
  virtual void OnJobDone(const std::shared_ptr<Job>& job) = 0;
  // Throttled progress; called from pool threads.
  virtual void OnJobProgress(const std::shared_ptr<Job>& job) = 0;
};

class Job : public std::enable_shared_from_this<Job> {
 public:
  // `total_items` is what progress counts (elements or pixels). A job has at
  // least one chunk, so even an empty input completes through the pool.
  Job(size_t chunk_count, uint64_t total_items);
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // Pool thread: does the work of one chunk. Runs concurrently with others.
  virtual void RunChunk(size_t index) = 0;
  // Items (elements, pixels) covered by chunk `index`, for progress.
  virtual uint64_t ChunkItems(size_t index) const = 0;

  // Main thread, after every chunk ran: the value the promise resolves with
  // (undefined when the JS side already holds the result, e.g. `out`).
  virtual Napi::Value Result(Napi::Env env);
  // Main thread, before Result: the index of the first element whose result
  // does not fit its type (BigInt kernels), -1 when a sum as a whole does
  // not fit, or kNoOverflow.
  static constexpr int64_t kNoOverflow = -2;
  virtual int64_t Overflow() { return kNoOverflow; }

  size_t chunk_count() const { return chunk_count_; }
  uint64_t total_items() const { return total_items_; }
  uint64_t items_done() const { return items_done_.load(std::memory_order_relaxed); }

  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  void set_sink(JobSink* sink, bool wants_progress) {
    sink_ = sink;
    wants_progress_ = wants_progress;
  }
  // The env whose jobs must be drained when it is torn down (null for
  // synchronous calls, whose caller blocks and so outlives the job).
  void set_owner(const EnvContext* owner) { owner_ = owner; }
  const EnvContext* owner() const { return owner_; }

  // Pool thread: runs chunk `index` unless cancelled, counts it, and reports
  // progress to the sink. True when this finished the job's last chunk: the
  // caller then updates its own books and calls NotifyDone().
  bool ExecuteChunk(size_t index);
  // Counts `count` chunks as finished without running them (cancellation of
  // chunks no thread claimed yet). True when this finished the job.
  bool SkipChunks(size_t count);
  // Tells the sink the job is done. Once, by whoever finished it.
  void NotifyDone();

  // The env's handle for this job (what JS cancels by); 0 for sync calls.
  uint32_t id = 0;

  // Scheduling state, guarded by the pool's mutex.
  size_t next_chunk = 0;
  bool in_queue = false;

 private:
  bool FinishChunks(size_t count);
  void MaybeReportProgress();

  const size_t chunk_count_;
  const uint64_t total_items_;
  std::atomic<size_t> finished_chunks_{0};
  std::atomic<uint64_t> items_done_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<int64_t> last_progress_ns_;
  JobSink* sink_ = nullptr;
  bool wants_progress_ = false;
  const EnvContext* owner_ = nullptr;
};

}  // namespace offloop
