#include "env_context.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <thread>
#include <utility>

#include "args.h"
#include "core/done_waiter.h"
#include "core/fault_injection.h"
#include "core/pool.h"

namespace offloop {

namespace {

std::atomic<uint64_t> g_completed{0};
std::atomic<uint64_t> g_failed{0};
std::atomic<uint64_t> g_cancelled{0};

// How often a synchronous call with a progress callback reports.
constexpr auto kSyncProgressInterval = std::chrono::milliseconds(16);
// The longest pause between retries of a refused wake-up.
constexpr auto kMaxWakeBackoff = std::chrono::milliseconds(16);

void Check(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

}  // namespace

EnvContext::EnvContext(Napi::Env env) : env_(env) {}

EnvContext::~EnvContext() = default;

void EnvContext::Install(Napi::Env env) { env.SetInstanceData(new EnvContext(env)); }

EnvContext* EnvContext::From(Napi::Env env) { return env.GetInstanceData<EnvContext>(); }

bool EnvContext::Init(const Napi::Function& dispatch) {
  if (tsfn_ != nullptr) return false;
  Napi::Env env(env_);
  Check(env_, napi_create_threadsafe_function(env_, dispatch, nullptr,
                                              Napi::String::New(env, "offloop"), 0, 1, nullptr,
                                              nullptr, this, &EnvContext::CallJs, &tsfn_));
  // An idle offloop must not keep the process alive: referenced only while
  // jobs are pending.
  Check(env_, napi_unref_threadsafe_function(env_, tsfn_));
  // Added after the thread-safe function's own hook, so it runs before it
  // (hooks run newest first): the function is valid while this one drains.
  Check(env_, napi_add_env_cleanup_hook(env_, &EnvContext::Cleanup, this));
  return true;
}

void EnvContext::SetIntrinsics(const Napi::Value& resizable, const Napi::Value& growable) {
  if (intrinsics_set_) return;  // the first capture, at load, is the trustworthy one
  if (resizable.IsFunction()) resizable_getter_ = Napi::Persistent(resizable.As<Napi::Function>());
  if (growable.IsFunction()) growable_getter_ = Napi::Persistent(growable.As<Napi::Function>());
  intrinsics_set_ = true;
}

bool EnvContext::LengthCanChange(napi_value buffer) {
  Napi::Env env(env_);
  if (!intrinsics_set_) {
    ThrowTypeError(env, "ERR_OFFLOOP_NOT_INITIALIZED",
                   "offloop's native binding was loaded without its JS layer");
  }
  bool is_array_buffer = false;
  Check(env_, napi_is_arraybuffer(env_, buffer, &is_array_buffer));
  const Napi::FunctionReference& getter = is_array_buffer ? resizable_getter_ : growable_getter_;
  if (getter.IsEmpty()) return false;  // this runtime has no resizable buffers of that kind
  napi_value result;
  Check(env_, napi_call_function(env_, buffer, getter.Value(), 0, nullptr, &result));
  bool can_change = false;
  return napi_get_value_bool(env_, result, &can_change) == napi_ok && can_change;
}

uint32_t EnvContext::Submit(const std::shared_ptr<Job>& job,
                            const std::vector<napi_value>& keep_alive, bool wants_progress,
                            ResultFn result) {
  Napi::Env env(env_);
  if (tsfn_ == nullptr || closing_) {
    ThrowTypeError(env, "ERR_OFFLOOP_NOT_INITIALIZED", "offloop's native binding was not initialized");
  }
  if (fault::Trip(fault::Point::kSubmit)) throw std::bad_alloc();
  // Everything that can fail comes before the pool sees the job.
  Pending pending;
  pending.job = job;
  pending.result = result;
  pending.keep_alive.reserve(keep_alive.size());
  for (napi_value value : keep_alive) pending.keep_alive.push_back(Napi::Persistent(Napi::Value(env, value)));
  uint32_t id = next_id_;
  while (id == 0 || pending_.count(id) != 0) ++id;  // 0 means "no job"; ids wrap after 2^32 jobs
  auto inserted = pending_.emplace(id, std::move(pending)).first;
  try {
    if (!tsfn_referenced_) {
      Check(env_, napi_ref_threadsafe_function(env_, tsfn_));
      tsfn_referenced_ = true;
    }
    job->id = id;
    job->set_sink(this, wants_progress);
    job->set_owner(this);
    {
      // Room for this job's done event, so that posting it never allocates,
      // and when progress is wanted, for one progress report of every
      // pending job (each has at most one outstanding): without that spare
      // room Post drops every report, and a lone job would report none.
      std::lock_guard<std::mutex> lock(events_mu_);
      events_.reserve(events_.size() + undelivered_done_ + 1 + (wants_progress ? pending_.size() : 0));
      ++undelivered_done_;
    }
    try {
      ThreadPool::Instance().Submit(job);
    } catch (...) {
      std::lock_guard<std::mutex> lock(events_mu_);
      --undelivered_done_;
      throw;
    }
  } catch (...) {
    pending_.erase(inserted);
    if (pending_.empty() && tsfn_referenced_ &&
        napi_unref_threadsafe_function(env_, tsfn_) == napi_ok) {
      tsfn_referenced_ = false;
    }
    throw;
  }
  next_id_ = id + 1;
  return id;
}

bool EnvContext::Cancel(uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  ThreadPool::Instance().Cancel(it->second.job);
  return true;
}

void EnvContext::OnJobDone(const std::shared_ptr<Job>& job) noexcept { Post(job, EventKind::kDone); }

void EnvContext::OnJobProgress(const std::shared_ptr<Job>& job) noexcept {
  Post(job, EventKind::kProgress);
}

void EnvContext::Post(const std::shared_ptr<Job>& job, EventKind kind) noexcept {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(events_mu_);
    if (closing_) return;
    if (kind == EventKind::kDone) {
      --undelivered_done_;  // its room was reserved at Submit
    } else if (events_.size() + undelivered_done_ >= events_.capacity()) {
      job->ProgressDelivered();  // no room to spare: skip this report, allow the next
      return;
    }
    events_.push_back(Event{job, kind});
    if (!wake_scheduled_) wake = wake_scheduled_ = true;
  }
  // One wake-up per batch: the JS thread drains every queued event at once.
  if (wake) Wake();
}

void EnvContext::Wake() noexcept {
  // A refused wake-up (Node could not queue the call: out of memory) is
  // retried until it goes through or the env closes: giving up would strand
  // this event and every event posted meanwhile, which count on this wake.
  auto backoff = std::chrono::milliseconds(1);
  for (;;) {
    if (!fault::Trip(fault::Point::kWake)) {
      napi_status status = napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
      if (status == napi_ok || status == napi_closing) return;  // closing: the env is going away
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, kMaxWakeBackoff);
    std::lock_guard<std::mutex> lock(events_mu_);
    if (closing_) return;  // Close() drops the events; it waits for this thread's chunk
  }
}

void EnvContext::CallJs(napi_env env, napi_value dispatch, void* context, void*) {
  if (env == nullptr || dispatch == nullptr) return;  // the env is going away
  static_cast<EnvContext*>(context)->DeliverEvents(env, dispatch);
}

bool EnvContext::TakeEvent(Event* event) noexcept {
  std::lock_guard<std::mutex> lock(events_mu_);
  if (read_ == events_.size()) {
    events_.clear();  // keeps the capacity
    read_ = 0;
    return false;
  }
  *event = std::move(events_[read_++]);
  return true;
}

void EnvContext::DeliverEvents(napi_env env, napi_value dispatch) noexcept {
  {
    std::lock_guard<std::mutex> lock(events_mu_);
    wake_scheduled_ = false;  // events posted from now on wake the JS thread again
  }
  napi_value first_error = nullptr;
  Event event;
  while (TakeEvent(&event)) {
    if (!DeliverOne(env, dispatch, event, &first_error)) return;  // terminating: Close() releases the rest
    event.job.reset();
  }
  if (pending_.empty() && tsfn_referenced_ && napi_unref_threadsafe_function(env, tsfn_) == napi_ok) {
    tsfn_referenced_ = false;
  }
  // dispatch() itself threw (a bug in offloop's JS layer): surface it once
  // every job of the batch is settled.
  if (first_error != nullptr) napi_throw(env, first_error);
}

namespace {

// dispatch(id, status, value, total). False when the env is terminating and
// no JS can run any more; a JS exception is kept in *first_error.
bool CallDispatch(napi_env env, napi_value dispatch, uint32_t id, JobStatus status,
                  napi_value value, double total, napi_value* first_error) {
  Napi::Env napi_env(env);
  napi_value args[4] = {Napi::Number::New(napi_env, id),
                        Napi::Number::New(napi_env, static_cast<int>(status)), value,
                        Napi::Number::New(napi_env, total)};
  napi_value global;
  napi_value ignored;
  if (napi_get_undefined(env, &global) == napi_ok &&
      napi_call_function(env, global, dispatch, 4, args, &ignored) == napi_ok) {
    return true;
  }
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) return false;
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  if (*first_error == nullptr) *first_error = error;
  return true;
}

napi_value FailureValue(Napi::Env env, const char* code, const char* message) {
  JobFailure failure;
  failure.code = code;
  std::snprintf(failure.message, sizeof failure.message, "%s", message);
  return FailureObject(env, failure);
}

}  // namespace

Napi::Object FailureObject(Napi::Env env, const JobFailure& failure) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("code", failure.code != nullptr ? failure.code : "ERR_OFFLOOP_NATIVE");
  object.Set("message", failure.message);
  if (failure.system_errno != 0) object.Set("errno", failure.system_errno);
  if (failure.syscall != nullptr) object.Set("syscall", failure.syscall);
  if (failure.target != nullptr) object.Set("target", failure.target);
  return object;
}

bool EnvContext::DeliverOne(napi_env env, napi_value dispatch, const Event& event,
                            napi_value* first_error) noexcept {
  auto it = pending_.find(event.job->id);
  if (it == pending_.end() || it->second.job != event.job) return true;
  const uint32_t id = event.job->id;
  const double total = static_cast<double>(event.job->total_items());
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  bool alive = true;
  try {
    if (event.kind == EventKind::kProgress) {
      event.job->ProgressDelivered();
      alive = CallDispatch(env, dispatch, id, JobStatus::kProgress,
                           Napi::Number::New(env, static_cast<double>(event.job->items_done())),
                           total, first_error);
    } else {
      // The references keeping the buffers alive go only after JS has the
      // result (`pending` lives to the end of SettleJob).
      Pending pending = std::move(it->second);
      pending_.erase(it);
      alive = SettleJob(env, dispatch, std::move(pending), first_error);
    }
  } catch (...) {
    // Building the result failed (out of memory, say): the call must still
    // settle, as a rejection.
    pending_.erase(id);
    bool exception = false;
    napi_is_exception_pending(env, &exception);
    if (exception) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    try {
      CountSettled(Outcome::kFailed);
      alive = CallDispatch(env, dispatch, id, JobStatus::kFailed,
                           FailureValue(env, "ERR_OFFLOOP_NATIVE",
                                        "offloop could not deliver a job's result"),
                           total, first_error);
    } catch (...) {
      alive = false;
    }
  }
  napi_close_handle_scope(env, scope);
  return alive;
}

bool EnvContext::SettleJob(napi_env env, napi_value dispatch, Pending pending,
                           napi_value* first_error) {
  const Job& job = *pending.job;
  Napi::Env napi_env(env);
  JobStatus status;
  napi_value value = napi_env.Undefined();
  if (job.failed()) {
    status = JobStatus::kFailed;
    value = FailureObject(napi_env, job.failure());
    CountSettled(Outcome::kFailed);
  } else if (job.cancelled() && !job.CommittedDespiteCancel()) {
    status = JobStatus::kCancelled;
    CountSettled(Outcome::kCancelled);
  } else if (int64_t overflow = job.Overflow(); overflow != Job::kNoOverflow) {
    status = JobStatus::kOverflow;
    value = Napi::Number::New(napi_env, static_cast<double>(overflow));
    CountSettled(Outcome::kFailed);
  } else {
    status = JobStatus::kResolved;
    if (pending.result != nullptr) value = pending.result(napi_env, job);
    CountSettled(Outcome::kCompleted);
  }
  return CallDispatch(env, dispatch, job.id, status, value,
                      static_cast<double>(job.total_items()), first_error);
}

void EnvContext::Cleanup(void* self) { static_cast<EnvContext*>(self)->Close(); }

void EnvContext::Close() noexcept {
  {
    std::lock_guard<std::mutex> lock(events_mu_);
    closing_ = true;
    events_.clear();
    read_ = 0;
  }
  for (auto& entry : pending_) entry.second.job->Cancel();
  ThreadPool::Instance().CancelAndDrain(this);
  // No pool thread touches these jobs' memory any more: drop the references.
  pending_.clear();
}

int64_t EnvContext::RunSync(Napi::Env env, const std::shared_ptr<Job>& job,
                            const Napi::Value& progress) {
  if (job->chunk_count() == 1 && job->MayRunInline()) {
    job->ExecuteChunk(0);  // on the calling thread: not a pool job
  } else {
    DoneWaiter waiter;  // the calling thread sleeps until the pool ran every chunk
    job->set_sink(&waiter, false);
    ThreadPool::Instance().Submit(job);
    if (!progress.IsFunction()) {
      waiter.Wait();
    } else {
      const Napi::Function callback = progress.As<Napi::Function>();
      while (!waiter.WaitFor(kSyncProgressInterval)) {
        // The total is re-read: a file job learns it from the image's header.
        napi_value args[2] = {Napi::Number::New(env, static_cast<double>(job->items_done())),
                              Napi::Number::New(env, static_cast<double>(job->total_items()))};
        napi_value ignored;
        if (napi_call_function(env, env.Undefined(), callback, 2, args, &ignored) != napi_ok) {
          // The callback threw (or aborted the call): stop the job before the
          // exception reaches a caller who may reuse the buffers at once.
          ThreadPool::Instance().Cancel(job);
          waiter.Wait();
          CountSettled(Outcome::kCancelled);
          throw Napi::Error::New(env);  // the pending exception, as is
        }
      }
    }
    CountSettled(job->failed() ? Outcome::kFailed
                               : job->Overflow() != Job::kNoOverflow ? Outcome::kFailed
                                                                     : Outcome::kCompleted);
  }
  if (job->failed()) throw JobFailedError(job->failure());
  return job->Overflow();
}

void EnvContext::CountSettled(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCompleted: g_completed.fetch_add(1, std::memory_order_relaxed); break;
    case Outcome::kFailed: g_failed.fetch_add(1, std::memory_order_relaxed); break;
    case Outcome::kCancelled: g_cancelled.fetch_add(1, std::memory_order_relaxed); break;
  }
}

JobTotals EnvContext::Totals() {
  return JobTotals{g_completed.load(std::memory_order_relaxed),
                   g_failed.load(std::memory_order_relaxed),
                   g_cancelled.load(std::memory_order_relaxed)};
}

}  // namespace offloop
