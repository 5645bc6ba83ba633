#include "pool.h"

#include <algorithm>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace offloop {

namespace {
constexpr int kPoolThreadNice = 5;
}  // namespace

size_t DefaultConcurrency() {
  size_t n = 0;
#if defined(__linux__)
  // Honour CPU affinity (taskset, cgroups cpusets) as os.availableParallelism() does.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = static_cast<size_t>(CPU_COUNT(&set));
#endif
  if (n == 0) n = std::thread::hardware_concurrency();
  return std::clamp<size_t>(n, 1, ThreadPool::kMaxThreads);
}

ThreadPool& ThreadPool::Instance() {
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

ThreadPool::ThreadPool() : target_threads_(DefaultConcurrency()) {}

void ThreadPool::Submit(std::shared_ptr<Job> job) {
  const bool many_chunks = job->chunk_count() > 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) {
      StartThreadsLocked();
      started_ = true;
    }
    job->in_queue = true;
    queue_.push_back(std::move(job));
    ++queued_jobs_;
  }
  if (many_chunks) {
    work_cv_.notify_all();
  } else {
    work_cv_.notify_one();
  }
}

void ThreadPool::RemoveFromQueueLocked(Job* job) {
  auto it = std::find_if(queue_.begin(), queue_.end(),
                         [job](const std::shared_ptr<Job>& queued) { return queued.get() == job; });
  if (it != queue_.end()) queue_.erase(it);
  job->in_queue = false;
}

void ThreadPool::Cancel(const std::shared_ptr<Job>& job) {
  job->Cancel();
  size_t unclaimed = 0;
  bool started = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!job->in_queue) return;  // every chunk is claimed; running ones stop at their next check
    RemoveFromQueueLocked(job.get());
    started = job->next_chunk > 0;
    if (!started) --queued_jobs_;
    unclaimed = job->chunk_count() - job->next_chunk;
    job->next_chunk = job->chunk_count();
  }
  FinishSkipped(job, unclaimed, started);
}

void ThreadPool::FinishSkipped(const std::shared_ptr<Job>& job, size_t unclaimed, bool started) {
  if (!job->SkipChunks(unclaimed)) return;
  if (started) {
    std::lock_guard<std::mutex> lock(mu_);
    --running_jobs_;
  }
  job->NotifyDone();
}

void ThreadPool::CancelAndDrain(const EnvContext* owner) {
  std::vector<std::shared_ptr<Job>> dropped;
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if ((*it)->owner() != owner) {
        ++it;
        continue;
      }
      dropped.push_back(*it);
      it = queue_.erase(it);
    }
    for (const auto& job : dropped) job->Cancel();
    drained_cv_.wait(lock, [&] { return running_chunks_by_owner_.count(owner) == 0; });
  }
  for (const auto& job : dropped) {
    size_t unclaimed;
    bool started;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job->in_queue = false;
      started = job->next_chunk > 0;
      if (!started) --queued_jobs_;
      unclaimed = job->chunk_count() - job->next_chunk;
      job->next_chunk = job->chunk_count();
    }
    FinishSkipped(job, unclaimed, started);
  }
}

void ThreadPool::StartThreadsLocked() {
  while (live_threads_ < target_threads_) {
    std::thread(&ThreadPool::WorkerLoop, this).detach();
    ++live_threads_;
  }
}

void ThreadPool::SetConcurrency(size_t threads) {
  threads = std::clamp<size_t>(threads, 1, kMaxThreads);
  {
    std::lock_guard<std::mutex> lock(mu_);
    target_threads_ = threads;
    if (started_) {
      try {
        StartThreadsLocked();
      } catch (...) {
        target_threads_ = live_threads_;  // the OS refused more threads: keep what runs
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
void LowerThreadPriority() {
#if defined(__linux__)
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kPoolThreadNice);
#endif
}

}  // namespace

void ThreadPool::WorkerLoop() {
  LowerThreadPriority();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return live_threads_ > target_threads_ || !queue_.empty(); });
    if (live_threads_ > target_threads_) {
      --live_threads_;
      return;
    }
    std::shared_ptr<Job> job = std::move(queue_.front());
    queue_.pop_front();
    const size_t index = job->next_chunk++;
    if (index == 0) {
      --queued_jobs_;
      ++running_jobs_;
    }
    if (job->next_chunk < job->chunk_count()) {
      queue_.push_back(job);  // round-robin: the next chunk goes to another job first
    } else {
      job->in_queue = false;
    }
    const EnvContext* owner = job->owner();
    if (owner != nullptr) ++running_chunks_by_owner_[owner];
    ++busy_threads_;
    lock.unlock();

    const bool finished_job = job->ExecuteChunk(index);

    lock.lock();
    --busy_threads_;
    if (finished_job) {
      // The books say "done" before anyone hears it: a poolStats() call
      // made when the promise settles sees neither the job nor this thread.
      --running_jobs_;
      lock.unlock();
      job->NotifyDone();
      job.reset();
      lock.lock();
    }
    if (owner != nullptr) {
      auto it = running_chunks_by_owner_.find(owner);
      if (--it->second == 0) {
        running_chunks_by_owner_.erase(it);
        drained_cv_.notify_all();
      }
    }
  }
}

}  // namespace offloop
