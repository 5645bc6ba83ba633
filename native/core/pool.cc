// MSVC's C4996 would flag std::getenv at /W3, and the build uses /WX. The
// value is read once, when the pool is made, before any thread could call setenv.
#if defined(_MSC_VER) && !defined(_CRT_SECURE_NO_WARNINGS)
#define _CRT_SECURE_NO_WARNINGS
#endif

#include "pool.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>

#include "done_waiter.h"
#include "fault_injection.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(_WIN32)
#include <windows.h>
#endif

namespace offloop {

namespace {
// How much nicer than the thread that starts them pool threads are on Linux
// (LowerThreadPriority; unused elsewhere).
[[maybe_unused]] constexpr int kPoolThreadNiceIncrement = 5;
[[maybe_unused]] constexpr int kMaxNice = 19;

// OFFLOOP_POOL_PRIORITY=normal keeps pool threads at the scheduling of the
// thread that starts them (for a process that wants the pool to compete
// with its JS threads on equal terms); anything else, or unset, lowers them.
bool PoolThreadsYieldFromEnv() noexcept {
  const char* value = std::getenv("OFFLOOP_POOL_PRIORITY");
  return value == nullptr || std::strcmp(value, "normal") != 0;
}
}  // namespace

namespace {

// The CPUs this process may run on, or 0 when the OS does not say.
size_t UsableCpuCount() noexcept {
#if defined(__linux__)
  // Honour CPU affinity (taskset, cgroups cpusets) as os.availableParallelism() does.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return static_cast<size_t>(CPU_COUNT(&set));
#elif defined(_WIN32)
  // Every processor group: past 64 logical CPUs Windows splits them into
  // groups, and hardware_concurrency() may count only the first one.
  return GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
#endif
  return 0;
}

}  // namespace

size_t DefaultConcurrency() {
  size_t n = UsableCpuCount();
  if (n == 0) n = std::thread::hardware_concurrency();
  return std::clamp<size_t>(n, 1, ThreadPool::kMaxThreads);
}

ThreadPool& ThreadPool::Instance() {
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

ThreadPool::ThreadPool() : threads_yield_(PoolThreadsYieldFromEnv()), target_threads_(DefaultConcurrency()) {}

void ThreadPool::PushBackLocked(std::shared_ptr<Job> job) noexcept {
  Job* raw = job.get();
  raw->queue_prev = tail_;
  raw->queue_next = nullptr;
  if (tail_ != nullptr) {
    tail_->queue_next = raw;
  } else {
    head_ = raw;
  }
  tail_ = raw;
  raw->queued_self = std::move(job);
}

std::shared_ptr<Job> ThreadPool::UnlinkLocked(Job* job) noexcept {
  if (job->queue_prev != nullptr) {
    job->queue_prev->queue_next = job->queue_next;
  } else {
    head_ = job->queue_next;
  }
  if (job->queue_next != nullptr) {
    job->queue_next->queue_prev = job->queue_prev;
  } else {
    tail_ = job->queue_prev;
  }
  job->queue_prev = nullptr;
  job->queue_next = nullptr;
  return std::move(job->queued_self);
}

void ThreadPool::StartThreadsLocked() {
  while (live_threads_ < target_threads_) {
    try {
      if (fault::Trip(fault::Point::kThreadStart)) {
        throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again), "injected failure");
      }
      std::thread(&ThreadPool::WorkerLoop, this).detach();
    } catch (const std::system_error& error) {
      throw ThreadStartError(std::string("offloop could not start a pool thread: ") + error.what());
    }
    ++live_threads_;
  }
}

void ThreadPool::Submit(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (live_threads_ < target_threads_) {
      try {
        StartThreadsLocked();
      } catch (const ThreadStartError&) {
        // Fewer threads than asked for still run the job; none cannot.
        if (live_threads_ == 0) throw;
      }
    }
    PushBackLocked(job);
    ++queued_jobs_;
  }
  if (job->chunk_count() > 1) {
    work_cv_.notify_all();
  } else {
    work_cv_.notify_one();
  }
}

void ThreadPool::RunHelping(const std::shared_ptr<Job>& job) {
  DoneWaiter waiter;
  job->set_sink(&waiter, false);
  Submit(job);
  std::unique_lock<std::mutex> lock(mu_);
  // queued_self is set while the job has unclaimed chunks (or until a
  // cancellation drops them): claim them in place, without rotating the
  // job behind others, as this thread has nothing else to do meanwhile.
  while (job->queued_self != nullptr) {
    const size_t index = job->next_chunk++;
    if (index == 0) {
      --queued_jobs_;
      ++running_jobs_;
    }
    std::shared_ptr<Job> last_claim;
    if (job->next_chunk >= job->chunk_count()) last_claim = UnlinkLocked(job.get());
    PoolClient* owner = job->owner();
    if (owner != nullptr) ++owner->running_chunks_;
    lock.unlock();

    if (job->ExecuteChunk(index)) {
      lock.lock();
      --running_jobs_;
      lock.unlock();
      job->NotifyDone();
    }
    last_claim.reset();
    lock.lock();
    if (owner != nullptr && --owner->running_chunks_ == 0) drained_cv_.notify_all();
  }
  lock.unlock();
  waiter.Wait();
}

size_t ThreadPool::DropLocked(Job* job, bool* started) noexcept {
  std::shared_ptr<Job> self = UnlinkLocked(job);  // the caller holds another reference
  *started = job->next_chunk > 0;
  if (!*started) --queued_jobs_;
  const size_t unclaimed = job->chunk_count() - job->next_chunk;
  job->next_chunk = job->chunk_count();
  return unclaimed;
}

void ThreadPool::Cancel(const std::shared_ptr<Job>& job) noexcept {
  job->Cancel();
  size_t unclaimed = 0;
  bool started = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (job->queued_self == nullptr) return;  // every chunk is claimed; running ones stop at their next check
    unclaimed = DropLocked(job.get(), &started);
  }
  FinishSkipped(job, unclaimed, started);
}

void ThreadPool::FinishSkipped(const std::shared_ptr<Job>& job, size_t unclaimed, bool started) noexcept {
  if (!job->SkipChunks(unclaimed)) return;
  if (started) {
    std::lock_guard<std::mutex> lock(mu_);
    --running_jobs_;
  }
  job->NotifyDone();
}

void ThreadPool::CancelAndDrain(PoolClient* owner) noexcept {
  for (;;) {
    std::shared_ptr<Job> job;
    size_t unclaimed = 0;
    bool started = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Job* found = head_;
      while (found != nullptr && found->owner() != owner) found = found->queue_next;
      if (found == nullptr) break;
      found->Cancel();
      job = found->queued_self;
      unclaimed = DropLocked(found, &started);
    }
    FinishSkipped(job, unclaimed, started);
  }
  std::unique_lock<std::mutex> lock(mu_);
  drained_cv_.wait(lock, [owner] { return owner->running_chunks_ == 0; });
}

void ThreadPool::SetConcurrency(size_t threads) {
  threads = std::clamp<size_t>(threads, 1, kMaxThreads);
  {
    std::lock_guard<std::mutex> lock(mu_);
    target_threads_ = threads;
    if (live_threads_ > 0) {  // started: grow now; otherwise on the first job
      try {
        StartThreadsLocked();
      } catch (...) {
        target_threads_ = live_threads_;  // keep what runs
        throw;
      }
    }
  }
  work_cv_.notify_all();  // surplus threads retire when they next look for work
}

size_t ThreadPool::Concurrency() {
  std::lock_guard<std::mutex> lock(mu_);
  return target_threads_;
}

PoolStats ThreadPool::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats stats;
  stats.threads = target_threads_;
  stats.live_threads = live_threads_;
  stats.busy_threads = busy_threads_;
  stats.queued_jobs = queued_jobs_;
  stats.running_jobs = running_jobs_;
  return stats;
}

namespace {

// Pool threads yield to the JS threads: when the pool fills every core, a
// JS thread that wakes (a timer, a socket, a finished job) must get a core
// at once, not after a scheduler time slice. SCHED_BATCH and a higher nice
// value tell Linux exactly that; the threads still get every idle cycle.
// The nice value is the starting thread's (inherited) plus an increment:
// an absolute value would, for a root process started under `nice -n 19`,
// raise the pool above its own JS thread (nice 5 against 19).
// Windows: one step below normal priority.
void LowerThreadPriority() noexcept {
#if defined(__linux__)
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int inherited = getpriority(PRIO_PROCESS, tid);
  if (inherited == -1 && errno != 0) return;
  setpriority(PRIO_PROCESS, tid, std::min(inherited + kPoolThreadNiceIncrement, kMaxNice));
#elif defined(_WIN32)
  SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL);
#endif
}

}  // namespace

void ThreadPool::WorkerLoop() noexcept {
  if (threads_yield_) LowerThreadPriority();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return live_threads_ > target_threads_ || head_ != nullptr; });
    if (live_threads_ > target_threads_) {
      --live_threads_;
      return;
    }
    std::shared_ptr<Job> job = UnlinkLocked(head_);
    const size_t index = job->next_chunk++;
    if (index == 0) {
      --queued_jobs_;
      ++running_jobs_;
    }
    if (job->next_chunk < job->chunk_count()) PushBackLocked(job);  // round-robin
    PoolClient* owner = job->owner();
    if (owner != nullptr) ++owner->running_chunks_;
    ++busy_threads_;
    lock.unlock();

    job->RunChunkCounted(index);
    // The books say "done" before anyone hears it: a poolStats() call made
    // when the promise settles sees neither the job nor this thread. So the
    // thread is idle before its chunk is counted (another thread may finish
    // the job's last chunk and settle it meanwhile).
    lock.lock();
    --busy_threads_;
    lock.unlock();
    if (job->FinishChunk()) {
      lock.lock();
      --running_jobs_;
      lock.unlock();
      job->NotifyDone();
    }
    job.reset();  // outside the lock: this may be the last owner of its memory
    lock.lock();
    if (owner != nullptr && --owner->running_chunks_ == 0) drained_cv_.notify_all();
  }
}

}  // namespace offloop
