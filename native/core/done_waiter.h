// A job sink that lets one thread sleep until the job is done: a
// synchronous call waiting for the pool, or a chunk waiting for a job it
// forked (ThreadPool::RunHelping). Progress reports are ignored: the waiter
// reads the job's counters itself if it wants them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "job.h"

namespace offloop {

class DoneWaiter : public JobSink {
 public:
  void OnJobDone(const std::shared_ptr<Job>&) noexcept override {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void OnJobProgress(const std::shared_ptr<Job>&) noexcept override {}
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  // True once done; false when `timeout` passed first.
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

}  // namespace offloop
