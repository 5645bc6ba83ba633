// offloop's own thread pool: one per process, shared by the main thread and
// every worker_thread that loads the addon. Not libuv's pool, which also
// serves fs, dns, zlib and crypto and cannot be resized after start-up.
// No Node-API here.
//
// Scheduling: runnable jobs sit in one FIFO; a thread claims the next chunk
// of the job at the front and, if that job has chunks left, moves it to the
// back. So concurrent jobs interleave chunk by chunk: a small call never
// waits for the whole of a huge one, and one huge call still uses every
// thread.
//
// Failure: only Submit and SetConcurrency can fail (a thread that cannot
// start, an allocation), and they fail before the pool holds the job or
// with the pool as it was. Pool threads and Cancel/CancelAndDrain never
// allocate and never throw.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "job.h"

namespace offloop {

struct PoolStats {
  size_t threads = 0;       // threads the pool is sized to
  size_t live_threads = 0;  // threads alive (more than `threads` until surplus ones retire)
  size_t busy_threads = 0;  // threads running a chunk right now
  size_t queued_jobs = 0;   // jobs no thread has started yet
  size_t running_jobs = 0;  // jobs with at least one chunk started, not done
};

// The OS refused to start a pool thread and the pool has none to run a job.
class ThreadStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ThreadPool {
 public:
  static constexpr size_t kMaxThreads = 1024;

  // The process-wide pool. Deliberately never destroyed: its threads wait
  // on its mutex until the process exits, and an idle thread keeps no event
  // loop alive. (The library is never unloaded either: see addon.cc.)
  static ThreadPool& Instance();

  // Queues `job`, starting the threads on first use. Throws
  // ThreadStartError when no thread can run it; the pool then holds nothing.
  void Submit(const std::shared_ptr<Job>& job);
  // Runs `job` to completion from inside a running chunk (or any thread):
  // queues it so that idle threads take its chunks, claims its chunks itself
  // until none is left, then waits for those others took. It waits only for
  // chunks already running, which wait for nothing, so a job that forks
  // this way cannot deadlock the pool however busy it is. The job's sink is
  // replaced; give it the parent's owner so teardown drains it. Throws only
  // as Submit does.
  void RunHelping(const std::shared_ptr<Job>& job);
  // Stops a job: unclaimed chunks are dropped, running ones see the flag.
  void Cancel(const std::shared_ptr<Job>& job) noexcept;
  // Cancels every job of `owner` and returns once none of its chunks runs.
  void CancelAndDrain(PoolClient* owner) noexcept;

  // Threads are started lazily, on the first submitted job. Throws
  // ThreadStartError when the OS refuses a thread; the threads already
  // running stay and the pool's size is what runs.
  void SetConcurrency(size_t threads);
  size_t Concurrency();
  PoolStats Stats();

 private:
  ThreadPool();
  void WorkerLoop() noexcept;
  // Starts threads up to the target; throws ThreadStartError on failure.
  void StartThreadsLocked();
  void PushBackLocked(std::shared_ptr<Job> job) noexcept;
  std::shared_ptr<Job> UnlinkLocked(Job* job) noexcept;
  // Counts a cancelled job's unclaimed chunks; completes it if they were its last.
  void FinishSkipped(const std::shared_ptr<Job>& job, size_t unclaimed, bool started) noexcept;
  // Takes a queued job out of the queue for cancellation; returns its
  // unclaimed chunk count and whether it had started.
  size_t DropLocked(Job* job, bool* started) noexcept;

  // Whether pool threads lower their own scheduling priority
  // (OFFLOOP_POOL_PRIORITY; see LowerThreadPriority in pool.cc).
  const bool threads_yield_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable drained_cv_;
  Job* head_ = nullptr;
  Job* tail_ = nullptr;
  size_t target_threads_;
  size_t live_threads_ = 0;
  size_t busy_threads_ = 0;
  size_t running_jobs_ = 0;
  size_t queued_jobs_ = 0;
};

// The machine's available parallelism (CPU affinity honoured, at least 1),
// the pool's default size.
size_t DefaultConcurrency();

}  // namespace offloop
