// Per-environment state (the main thread and each worker_thread has one):
// the jobs this env submitted, the references that keep their buffers
// alive, and the one thread-safe function through which pool threads hand
// finished jobs back to this env's JS thread.
//
// Threads: Submit, Cancel and settling run on the env's JS thread; pool
// threads only call OnJobDone / OnJobProgress, which queue an event and wake
// the JS thread. When the env is torn down (worker exit, process exit) the
// cleanup hook cancels its jobs and waits until no pool thread runs one of
// their chunks, so no thread ever touches freed memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <napi.h>

#include "job.h"

namespace offloop {

// What JS's dispatch(id, status, value, total) hears about a job.
enum class JobStatus : int {
  kResolved = 0,   // value: the result (or undefined)
  kOverflow = 1,   // value: index of the element that overflowed, -1 for a sum
  kCancelled = 2,
  kProgress = 3,   // value: items done, total: items in all
};

struct JobTotals {
  uint64_t completed = 0;
  uint64_t failed = 0;
  uint64_t cancelled = 0;
};

class EnvContext : public JobSink {
 public:
  // The context of `env`, created with the module's instance data.
  static EnvContext* From(Napi::Env env);
  static void Install(Napi::Env env);

  // Sets the JS function that settles jobs. Once per env; later calls are
  // ignored so two copies of the JS layer share one dispatcher. Returns
  // whether this call installed it.
  bool Init(const Napi::Function& dispatch);

  // Hands `job` to the pool; `keep_alive` holds every JS object whose
  // memory the job touches until it settles. Returns the job's id.
  uint32_t Submit(std::shared_ptr<Job> job, std::vector<Napi::Value> keep_alive,
                  bool wants_progress);
  bool Cancel(uint32_t id);

  void OnJobDone(const std::shared_ptr<Job>& job) override;
  void OnJobProgress(const std::shared_ptr<Job>& job) override;

  // Runs `job` to completion on the pool while the calling thread waits (or
  // inline when it is a single chunk), counts it in the totals, and returns
  // its Overflow().
  static int64_t RunSync(const std::shared_ptr<Job>& job);
  static void CountSettled(const std::shared_ptr<Job>& job, bool failed);
  static JobTotals Totals();

  ~EnvContext() override;

 private:
  explicit EnvContext(Napi::Env env);

  enum class EventKind { kDone, kProgress };
  struct Event {
    std::shared_ptr<Job> job;
    EventKind kind;
  };
  struct Pending {
    std::shared_ptr<Job> job;
    std::vector<Napi::Reference<Napi::Value>> keep_alive;
  };

  static void CallJs(napi_env env, napi_value dispatch, void* context, void* data);
  static void Cleanup(void* self);
  void DeliverEvents(Napi::Env env, Napi::Function dispatch);
  // False when the env is terminating and JS can no longer be called.
  static bool CallDispatch(Napi::Env env, Napi::Function dispatch, uint32_t id, JobStatus status,
                           napi_value value, double total, napi_value* first_error);
  void Post(const std::shared_ptr<Job>& job, EventKind kind);
  void Close();

  napi_env env_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool tsfn_referenced_ = false;

  // Pool threads and the JS thread.
  std::mutex events_mu_;
  std::vector<Event> events_;
  bool closing_ = false;

  // JS thread only.
  std::unordered_map<uint32_t, Pending> pending_;
  uint32_t next_id_ = 1;
};

}  // namespace offloop
