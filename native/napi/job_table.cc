#include "napi/job_table.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <new>
#include <thread>
#include <utility>

#include "core/done_waiter.h"
#include "core/fault_injection.h"
#include "core/pool.h"
#include "napi/errors.h"
#include "napi/settled_counts.h"

namespace offloop {

namespace {

// The longest pause between retries of a refused wake-up.
constexpr auto kMaxWakeBackoff = std::chrono::milliseconds(16);

void Check(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

}  // namespace

JobTable::JobTable(napi_env env) : env_(env) {}

JobTable::~JobTable() = default;

bool JobTable::Init(const Napi::Function& dispatch) {
  if (tsfn_ != nullptr) return false;
  Napi::Env env(env_);
  Check(env_, napi_create_threadsafe_function(env_, dispatch, nullptr, Napi::String::New(env, "offloop"), 0, 1, nullptr,
                                              nullptr, this, &JobTable::CallJs, &tsfn_));
  // An idle offloop must not keep the process alive: referenced only while
  // jobs are pending.
  Check(env_, napi_unref_threadsafe_function(env_, tsfn_));
  // Added after the thread-safe function's own hook, so it runs before it
  // (hooks run newest first): the function is valid while this one drains.
  Check(env_, napi_add_env_cleanup_hook(env_, &JobTable::Cleanup, this));
  return true;
}

uint32_t JobTable::Submit(const std::shared_ptr<Job>& job, const std::vector<napi_value>& keep_alive,
                          bool wants_progress, ResultFn result) {
  Napi::Env env(env_);
  if (tsfn_ == nullptr || closing_) {
    ThrowTypeError(env, "ERR_OFFLOOP_NOT_INITIALIZED", "offloop's native binding was not initialized");
  }
  if (fault::Trip(fault::Point::kSubmit)) throw std::bad_alloc();
  // Everything that can fail comes before the pool sees the job.
  Pending pending;
  pending.job = job;
  pending.result = std::move(result);
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
    if (pending_.empty() && tsfn_referenced_ && napi_unref_threadsafe_function(env_, tsfn_) == napi_ok) {
      tsfn_referenced_ = false;
    }
    throw;
  }
  next_id_ = id + 1;
  return id;
}

bool JobTable::Cancel(uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  ThreadPool::Instance().Cancel(it->second.job);
  return true;
}

void JobTable::OnJobDone(const std::shared_ptr<Job>& job) noexcept { Post(job, EventKind::kDone); }

void JobTable::OnJobProgress(const std::shared_ptr<Job>& job) noexcept { Post(job, EventKind::kProgress); }

void JobTable::Post(const std::shared_ptr<Job>& job, EventKind kind) noexcept {
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

void JobTable::Wake() noexcept {
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

void JobTable::CallJs(napi_env env, napi_value dispatch, void* context, void*) {
  if (env == nullptr || dispatch == nullptr) return;  // the env is going away
  static_cast<JobTable*>(context)->DeliverEvents(env, dispatch);
}

bool JobTable::TakeEvent(Event* event) noexcept {
  std::lock_guard<std::mutex> lock(events_mu_);
  if (read_ == events_.size()) {
    events_.clear();  // keeps the capacity
    read_ = 0;
    return false;
  }
  *event = std::move(events_[read_++]);
  return true;
}

void JobTable::DeliverEvents(napi_env env, napi_value dispatch) noexcept {
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
bool CallDispatch(napi_env env, napi_value dispatch, uint32_t id, JobStatus status, napi_value value, double total,
                  napi_value* first_error) {
  Napi::Env napi_env(env);
  napi_value args[4] = {Napi::Number::New(napi_env, id), Napi::Number::New(napi_env, static_cast<int>(status)), value,
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

bool JobTable::DeliverOne(napi_env env, napi_value dispatch, const Event& event, napi_value* first_error) noexcept {
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
                           Napi::Number::New(env, static_cast<double>(event.job->items_done())), total, first_error);
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
      CountSettled(SettledOutcome::kFailed);
      alive = CallDispatch(env, dispatch, id, JobStatus::kFailed,
                           FailureValue(env, "ERR_OFFLOOP_NATIVE", "offloop could not deliver a job's result"), total,
                           first_error);
    } catch (...) {
      alive = false;
    }
  }
  napi_close_handle_scope(env, scope);
  return alive;
}

bool JobTable::SettleJob(napi_env env, napi_value dispatch, Pending pending, napi_value* first_error) {
  const Job& job = *pending.job;
  Napi::Env napi_env(env);
  JobStatus status;
  napi_value value = napi_env.Undefined();
  if (job.failed()) {
    status = JobStatus::kFailed;
    value = FailureObject(napi_env, job.failure());
    CountSettled(SettledOutcome::kFailed);
  } else if (job.cancelled() && !job.CommittedDespiteCancel()) {
    status = JobStatus::kCancelled;
    CountSettled(SettledOutcome::kCancelled);
  } else if (int64_t overflow = job.Overflow(); overflow != Job::kNoOverflow) {
    status = JobStatus::kOverflow;
    value = Napi::Number::New(napi_env, static_cast<double>(overflow));
    CountSettled(SettledOutcome::kFailed);
  } else {
    status = JobStatus::kResolved;
    if (pending.result) value = pending.result(napi_env);
    CountSettled(SettledOutcome::kCompleted);
  }
  return CallDispatch(env, dispatch, job.id, status, value, static_cast<double>(job.total_items()), first_error);
}

void JobTable::Cleanup(void* self) { static_cast<JobTable*>(self)->Close(); }

void JobTable::Close() noexcept {
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

}  // namespace offloop
