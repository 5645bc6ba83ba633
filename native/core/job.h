// A unit of offloop work: a kernel call split into independent chunks. No
// Node-API here: jobs are built and run by the C++ tests too.
//
// Lifecycle and threads:
//  1. JS thread: a binding validates its arguments and builds a Job subclass
//     from plain values (pointers, lengths; never an N-API handle). Every
//     native memory region the job reads or writes is co-owned by the job
//     (KeepMemory), so nobody can release it while a chunk still uses it.
//  2. Pool threads: ExecuteChunk(i) for every chunk index, in any order and
//     concurrently. Chunks of a cancelled or failed job are skipped. A chunk
//     that throws fails the job (first failure wins); nothing escapes.
//  3. The thread that finishes the last chunk tells the job's sink (an env's
//     completion queue, or a waiting synchronous caller), exactly once.
//  4. JS thread: the env settles the job and drops the references that kept
//     its JS buffers alive. The Job object goes when its last owner (the env,
//     a pool thread) lets go, and with it its share of any native memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace offloop {

class Job;

// Whatever submits async jobs and must be able to drain them (an env). The
// pool keeps its count of running chunks here, so counting never allocates.
class PoolClient {
 public:
  virtual ~PoolClient() = default;

 private:
  friend class ThreadPool;
  size_t running_chunks_ = 0;  // guarded by the pool's mutex
};

// Told by pool threads (or a cancelling thread) about a job's progress.
class JobSink {
 public:
  virtual ~JobSink() = default;
  // Once, by whichever thread finished or skipped the job's last chunk.
  virtual void OnJobDone(const std::shared_ptr<Job>& job) = 0;
  // Throttled, and coalesced: at most one report is outstanding per job
  // until the sink calls job->ProgressDelivered().
  virtual void OnJobProgress(const std::shared_ptr<Job>& job) = 0;
};

// Why a job failed: static strings only, so recording a failure never
// allocates (it may be recording that an allocation failed).
struct JobFailure {
  const char* code = nullptr;  // e.g. "ERR_OFFLOOP_OUT_OF_MEMORY"
  char message[160] = {};
  // A failed system call (code "ERR_OFFLOOP_SYSTEM"): the positive errno, the
  // call ("open", "write"...) and which file it was about ("input", "output").
  int system_errno = 0;
  const char* syscall = nullptr;
  const char* target = nullptr;
};

class Job : public std::enable_shared_from_this<Job> {
 public:
  // `total_items` is what progress counts (elements or pixels). A job has at
  // least one chunk, so even an empty input completes like any other.
  Job(size_t chunk_count, uint64_t total_items);
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // Pool thread: does the work of one chunk. Runs concurrently with others;
  // may throw (the job then fails with a clear error).
  virtual void RunChunk(size_t index) = 0;
  // Items (elements, pixels) covered by chunk `index`, for progress.
  virtual uint64_t ChunkItems(size_t index) const = 0;
  // Whether a synchronous call may run this job's only chunk on the calling
  // thread instead of the pool (kernels: yes; file jobs: never, their I/O
  // belongs on the pool).
  virtual bool MayRunInline() const { return true; }
  // Whether the job's effect is already permanent (a file renamed into
  // place), so that a cancellation that arrived too late must not report it
  // as undone: the job then settles as resolved.
  virtual bool CommittedDespiteCancel() const { return false; }

  // After every chunk ran: the index of the first element whose result does
  // not fit its type (BigInt kernels), -1 when a sum as a whole does not
  // fit, or kNoOverflow.
  static constexpr int64_t kNoOverflow = -2;
  virtual int64_t Overflow() const { return kNoOverflow; }

  size_t chunk_count() const { return chunk_count_; }
  uint64_t total_items() const { return total_items_.load(std::memory_order_relaxed); }
  uint64_t items_done() const { return items_done_.load(std::memory_order_relaxed); }

  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  // For long chunks that poll for cancellation themselves (a file's decoder).
  const std::atomic<bool>* cancel_flag() const { return &cancelled_; }
  // Valid once the job is done (its sink was told).
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  const JobFailure& failure() const { return failure_; }

  // Co-owns a native memory region the job touches (see core/native_memory.h).
  // JS thread, before the job is submitted.
  void KeepMemory(std::shared_ptr<const void> owner);

  void set_sink(JobSink* sink, bool wants_progress) {
    sink_ = sink;
    wants_progress_ = wants_progress;
  }
  // The client (an env) whose jobs must be drained when it is torn down
  // (null for synchronous calls, whose caller blocks and so outlives the job).
  void set_owner(PoolClient* owner) { owner_ = owner; }
  PoolClient* owner() const { return owner_; }

  // Pool thread: runs chunk `index` unless the job was cancelled or failed,
  // counts it, and reports progress. True when this finished the job's last
  // chunk: the caller then updates its own books and calls NotifyDone().
  bool ExecuteChunk(size_t index) noexcept;
  // ExecuteChunk in two steps, for a caller that updates its books between
  // the work and the count (the pool: a thread is idle again before anyone
  // can hear that the job is done).
  void RunChunkCounted(size_t index) noexcept;
  bool FinishChunk() noexcept { return FinishChunks(1); }
  // Counts `count` chunks as finished without running them (cancellation of
  // chunks no thread claimed yet). True when this finished the job.
  bool SkipChunks(size_t count) noexcept;
  // Tells the sink the job is done. Once, by whoever finished it.
  void NotifyDone() noexcept;
  // The sink consumed the outstanding progress report; the next may come.
  void ProgressDelivered() { progress_outstanding_.store(false, std::memory_order_relaxed); }

  // For jobs whose one chunk is long (a file): the total, once the chunk has
  // learnt it, and items done as it goes; both reach onProgress like chunks.
  void SetTotalItems(uint64_t total) { total_items_.store(total, std::memory_order_relaxed); }
  void AddItemsDone(uint64_t items) noexcept;
  // Fails the job with `failure` (first failure wins), from a chunk.
  void FailWith(const JobFailure& failure) noexcept;

  // The env's handle for this job (what JS cancels by); 0 for sync calls.
  uint32_t id = 0;

  // Scheduling state, guarded by the pool's mutex. The run queue is an
  // intrusive list, so queueing, rotating and dropping jobs never allocates
  // (and so never throws) on a pool thread or in a cleanup hook.
  size_t next_chunk = 0;
  std::shared_ptr<Job> queued_self;  // set while the job is in the queue
  Job* queue_prev = nullptr;
  Job* queue_next = nullptr;

 private:
  bool FinishChunks(size_t count) noexcept;
  void MaybeReportProgress() noexcept;
  void Fail(const char* code, const char* message) noexcept;

  const size_t chunk_count_;
  std::atomic<uint64_t> total_items_;
  std::atomic<size_t> finished_chunks_{0};
  std::atomic<uint64_t> items_done_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> failing_{false};  // claimed by the first failing chunk
  std::atomic<bool> failed_{false};   // published after failure_ is written
  JobFailure failure_;
  std::atomic<int64_t> last_progress_ns_;
  std::atomic<bool> progress_outstanding_{false};
  JobSink* sink_ = nullptr;
  bool wants_progress_ = false;
  PoolClient* owner_ = nullptr;
  std::vector<std::shared_ptr<const void>> memory_owners_;
};

}  // namespace offloop
