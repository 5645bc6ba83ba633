// offloop's own thread pool: one per process, shared by the main thread and
// every worker_thread that loads the addon. Not libuv's pool, which also
// serves fs, dns, zlib and crypto and cannot be resized after start-up.
//
// Scheduling: runnable jobs sit in one FIFO; a thread claims the next chunk
// of the job at the front and, if that job has chunks left, moves it to the
// back. So concurrent jobs interleave chunk by chunk: a small call never
// waits for the whole of a huge one, and one huge call still uses every
// thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "job.h"

namespace offloop {

struct PoolStats {
  size_t threads = 0;        // threads the pool is sized to
  size_t busy_threads = 0;   // threads running a chunk right now
  size_t queued_jobs = 0;    // jobs no thread has started yet
  size_t running_jobs = 0;   // jobs with at least one chunk started, not done
};

class ThreadPool {
 public:
  static constexpr size_t kMaxThreads = 1024;

  // The process-wide pool. Deliberately never destroyed: its threads wait
  // on its mutex until the process exits, and an idle thread keeps no event
  // loop alive.
  static ThreadPool& Instance();

  void Submit(std::shared_ptr<Job> job);
  // Stops a job: unclaimed chunks are dropped, running ones see the flag.
  void Cancel(const std::shared_ptr<Job>& job);
  // Cancels every job of `owner` and returns once none of its chunks runs.
  void CancelAndDrain(const EnvContext* owner);

  // Threads are started lazily, on the first submitted job.
  void SetConcurrency(size_t threads);
  size_t Concurrency();
  PoolStats Stats();

 private:
  ThreadPool();
  void WorkerLoop();
  void StartThreadsLocked();
  void RemoveFromQueueLocked(Job* job);
  // Counts a cancelled job's unclaimed chunks; completes it if they were its last.
  void FinishSkipped(const std::shared_ptr<Job>& job, size_t unclaimed, bool started);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable drained_cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::unordered_map<const EnvContext*, size_t> running_chunks_by_owner_;
  size_t target_threads_;
  size_t live_threads_ = 0;
  size_t busy_threads_ = 0;
  size_t running_jobs_ = 0;
  size_t queued_jobs_ = 0;
  bool started_ = false;
};

// The machine's available parallelism (std::thread::hardware_concurrency,
// at least 1), the pool's default size.
size_t DefaultConcurrency();

}  // namespace offloop
