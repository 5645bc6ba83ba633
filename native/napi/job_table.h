// The job table of one environment (the main thread and each worker_thread
// has one): the pool jobs this env submitted, the references that keep their
// JS buffers alive, and the one thread-safe function through which pool
// threads hand finished jobs (and progress) back to this env's JS thread.
//
// Threads: Submit, Cancel and settling run on the env's JS thread; pool
// threads only call OnJobDone / OnJobProgress, which queue an event (never
// allocating: the room for it was reserved at Submit) and wake the JS thread.
//
// Teardown, as Node really does it (Environment::RunCleanup in Node 20, 22
// and 24; checked against their sources and by test/teardown.test.ts):
//  1. the env's handles are closed;
//  2. its "cleanables" are cleaned, and these include every external
//     ArrayBuffer created through Node-API: their finalizers run HERE, before
//     any cleanup hook, whatever the order of registration;
//  3. the cleanup hooks run, newest first: offloop's (Cleanup below) runs
//     before the thread-safe function's own, because it is added after it;
//  4. the napi_env's references and instance data are finalized, and the
//     isolate is disposed, freeing the memory of every JS ArrayBuffer.
// What offloop relies on: (2) may take away the JS owner of native pages
// while a job still writes them, so pages have joint owners (jobs hold
// their share; core/native_memory.h). Ordinary JS memory lives until (4),
// after offloop's hook (3) has cancelled this env's jobs and waited until no
// pool thread runs one of their chunks. And the addon's code itself is never
// unloaded (napi/library_pin.h), so detached pool threads outlive any env.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <napi.h>

#include "core/job.h"

namespace offloop {

// What JS's dispatch(id, status, value, total) hears about a job.
enum class JobStatus : int {
  kResolved = 0,  // value: the result (or undefined)
  kOverflow = 1,  // value: index of the element that overflowed, -1 for a sum
  kCancelled = 2,
  kProgress = 3,  // value: items done, total: items in all
  kFailed = 4,    // value: { code, message }
};

class JobTable : public JobSink, public PoolClient {
 public:
  // The value a resolved job's promise resolves with, built from the job
  // (which it holds, typed) once no pool thread touches it.
  using ResultFn = std::function<Napi::Value(Napi::Env env)>;

  explicit JobTable(napi_env env);
  ~JobTable() override;
  JobTable(const JobTable&) = delete;
  JobTable& operator=(const JobTable&) = delete;

  // Sets the JS function that settles jobs. Once per env; later calls are
  // ignored so two copies of the JS layer share one dispatcher. Returns
  // whether this call installed it.
  bool Init(const Napi::Function& dispatch);

  // Hands `job` to the pool; `keep_alive` holds every JS object whose
  // memory the job touches until it settles. Returns the job's id. Throws
  // (ThreadStartError, std::bad_alloc, Napi::Error) with nothing registered.
  uint32_t Submit(const std::shared_ptr<Job>& job, const std::vector<napi_value>& keep_alive, bool wants_progress,
                  ResultFn result);
  bool Cancel(uint32_t id);

  void OnJobDone(const std::shared_ptr<Job>& job) noexcept override;
  void OnJobProgress(const std::shared_ptr<Job>& job) noexcept override;

 private:
  enum class EventKind { kDone, kProgress };
  struct Event {
    std::shared_ptr<Job> job;
    EventKind kind;
  };
  struct Pending {
    std::shared_ptr<Job> job;
    std::vector<Napi::Reference<Napi::Value>> keep_alive;
    ResultFn result;
  };

  static void CallJs(napi_env env, napi_value dispatch, void* context, void* data);
  static void Cleanup(void* self);
  void DeliverEvents(napi_env env, napi_value dispatch) noexcept;
  bool TakeEvent(Event* event) noexcept;
  // False when the env is terminating and JS can no longer be called.
  bool DeliverOne(napi_env env, napi_value dispatch, const Event& event, napi_value* first_error) noexcept;
  bool SettleJob(napi_env env, napi_value dispatch, Pending pending, napi_value* first_error);
  void Post(const std::shared_ptr<Job>& job, EventKind kind) noexcept;
  void Wake() noexcept;
  void Close() noexcept;

  napi_env env_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool tsfn_referenced_ = false;

  // Shared by pool threads and the JS thread. `events_` is a FIFO read from
  // `read_`; its capacity always covers every done event still to come
  // (size + undelivered_done_), reserved by Submit on the JS thread, so a
  // pool thread never allocates to post one.
  std::mutex events_mu_;
  std::vector<Event> events_;
  size_t read_ = 0;
  size_t undelivered_done_ = 0;
  bool wake_scheduled_ = false;
  bool closing_ = false;

  // JS thread only.
  std::unordered_map<uint32_t, Pending> pending_;
  uint32_t next_id_ = 1;
};

}  // namespace offloop
