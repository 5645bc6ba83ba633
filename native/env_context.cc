#include "env_context.h"

#include <condition_variable>
#include <utility>

#include "args.h"
#include "pool.h"

namespace offloop {

namespace {

std::atomic<uint64_t> g_completed{0};
std::atomic<uint64_t> g_failed{0};
std::atomic<uint64_t> g_cancelled{0};

// The sink of a synchronous call: the calling thread sleeps until the pool
// has run every chunk.
class SyncWaiter : public JobSink {
 public:
  void OnJobDone(const std::shared_ptr<Job>&) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void OnJobProgress(const std::shared_ptr<Job>&) override {}
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

void Check(napi_env env, napi_status status) {
  if (status != napi_ok) NAPI_THROW_IF_FAILED_VOID(env, status);
}

}  // namespace

EnvContext::EnvContext(Napi::Env env) : env_(env) {}

EnvContext::~EnvContext() = default;

void EnvContext::Install(Napi::Env env) { env.SetInstanceData(new EnvContext(env)); }

EnvContext* EnvContext::From(Napi::Env env) { return env.GetInstanceData<EnvContext>(); }

bool EnvContext::Init(const Napi::Function& dispatch) {
  if (tsfn_ != nullptr) return false;
  Napi::Env env(env_);
  Check(env_, napi_create_threadsafe_function(
                  env_, dispatch, nullptr, Napi::String::New(env, "offloop"), 0, 1, nullptr,
                  nullptr, this, &EnvContext::CallJs, &tsfn_));
  // An idle offloop must not keep the process alive: referenced only while
  // jobs are pending.
  Check(env_, napi_unref_threadsafe_function(env_, tsfn_));
  // Registered after the thread-safe function so that this hook runs first
  // (hooks run in reverse order), while that function is still valid.
  Check(env_, napi_add_env_cleanup_hook(env_, &EnvContext::Cleanup, this));
  return true;
}

uint32_t EnvContext::Submit(std::shared_ptr<Job> job, std::vector<Napi::Value> keep_alive,
                            bool wants_progress) {
  Napi::Env env(env_);
  if (tsfn_ == nullptr) {
    ThrowTypeError(env, "ERR_OFFLOOP_NOT_INITIALIZED", "offloop's native binding was not initialized");
  }
  uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;  // 0 means "no job"; ids wrap after 2^32 jobs
  job->id = id;
  job->set_sink(this, wants_progress);
  job->set_owner(this);
  Pending pending;
  pending.job = job;
  pending.keep_alive.reserve(keep_alive.size());
  for (const Napi::Value& value : keep_alive) pending.keep_alive.push_back(Napi::Persistent(value));
  pending_.emplace(id, std::move(pending));
  if (!tsfn_referenced_) {
    Check(env_, napi_ref_threadsafe_function(env_, tsfn_));
    tsfn_referenced_ = true;
  }
  ThreadPool::Instance().Submit(std::move(job));
  return id;
}

bool EnvContext::Cancel(uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  ThreadPool::Instance().Cancel(it->second.job);
  return true;
}

void EnvContext::OnJobDone(const std::shared_ptr<Job>& job) { Post(job, EventKind::kDone); }

void EnvContext::OnJobProgress(const std::shared_ptr<Job>& job) { Post(job, EventKind::kProgress); }

void EnvContext::Post(const std::shared_ptr<Job>& job, EventKind kind) {
  std::lock_guard<std::mutex> lock(events_mu_);
  if (closing_) return;
  const bool wake = events_.empty();
  events_.push_back(Event{job, kind});
  // One wake-up per batch: the JS thread drains every queued event at once.
  if (wake) napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
}

void EnvContext::CallJs(napi_env env, napi_value dispatch, void* context, void*) {
  if (env == nullptr || dispatch == nullptr) return;  // the env is going away
  // A C callback: no C++ exception may leave it.
  try {
    static_cast<EnvContext*>(context)->DeliverEvents(Napi::Env(env), Napi::Function(env, dispatch));
  } catch (...) {
  }
}

bool EnvContext::CallDispatch(Napi::Env env, Napi::Function dispatch, uint32_t id, JobStatus status,
                              napi_value value, double total, napi_value* first_error) {
  napi_value args[4] = {Napi::Number::New(env, id), Napi::Number::New(env, static_cast<int>(status)),
                        value, Napi::Number::New(env, total)};
  napi_value ignored;
  if (napi_call_function(env, env.Undefined(), dispatch, 4, args, &ignored) == napi_ok) return true;
  // Either JS threw (keep the first error, rethrown once every job is
  // settled), or the env is terminating and no JS can run any more.
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) return false;
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  if (*first_error == nullptr) *first_error = error;
  return true;
}

void EnvContext::DeliverEvents(Napi::Env env, Napi::Function dispatch) {
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(events_mu_);
    events.swap(events_);
  }
  napi_value first_error = nullptr;
  for (Event& event : events) {
    Napi::HandleScope scope(env);
    auto it = pending_.find(event.job->id);
    if (it == pending_.end() || it->second.job != event.job) continue;
    const std::shared_ptr<Job> job = event.job;
    bool delivered;
    if (event.kind == EventKind::kProgress) {
      delivered = CallDispatch(env, dispatch, job->id, JobStatus::kProgress,
                               Napi::Number::New(env, static_cast<double>(job->items_done())),
                               static_cast<double>(job->total_items()), &first_error);
    } else {
      // The references keeping the buffers alive go only after JS has the
      // result (`pending` lives to the end of this block).
      Pending pending = std::move(it->second);
      pending_.erase(it);
      JobStatus status;
      Napi::Value value = env.Undefined();
      if (job->cancelled()) {
        status = JobStatus::kCancelled;
      } else if (int64_t overflow = job->Overflow(); overflow != Job::kNoOverflow) {
        status = JobStatus::kOverflow;
        value = Napi::Number::New(env, static_cast<double>(overflow));
      } else {
        status = JobStatus::kResolved;
        value = job->Result(env);
      }
      CountSettled(job, status == JobStatus::kOverflow);
      delivered = CallDispatch(env, dispatch, job->id, status, value,
                               static_cast<double>(job->total_items()), &first_error);
    }
    if (!delivered) return;  // terminating: the cleanup hook releases the rest
  }
  if (pending_.empty() && tsfn_referenced_) {
    napi_unref_threadsafe_function(env, tsfn_);
    tsfn_referenced_ = false;
  }
  if (first_error != nullptr) napi_throw(env, first_error);
}

void EnvContext::Cleanup(void* self) {
  try {
    static_cast<EnvContext*>(self)->Close();
  } catch (...) {
    // A C callback: nothing may escape. Close() itself only frees memory.
  }
}

void EnvContext::Close() {
  {
    std::lock_guard<std::mutex> lock(events_mu_);
    closing_ = true;
    events_.clear();
  }
  for (auto& entry : pending_) entry.second.job->Cancel();
  ThreadPool::Instance().CancelAndDrain(this);
  // No pool thread touches these jobs' memory any more: drop the references.
  pending_.clear();
}

int64_t EnvContext::RunSync(const std::shared_ptr<Job>& job) {
  if (job->chunk_count() == 1) {
    job->ExecuteChunk(0);
  } else {
    SyncWaiter waiter;
    job->set_sink(&waiter, false);
    ThreadPool::Instance().Submit(job);
    waiter.Wait();
  }
  int64_t overflow = job->Overflow();
  CountSettled(job, overflow != Job::kNoOverflow);
  return overflow;
}

void EnvContext::CountSettled(const std::shared_ptr<Job>& job, bool failed) {
  if (job->cancelled()) {
    g_cancelled.fetch_add(1, std::memory_order_relaxed);
  } else if (failed) {
    g_failed.fetch_add(1, std::memory_order_relaxed);
  } else {
    g_completed.fetch_add(1, std::memory_order_relaxed);
  }
}

JobTotals EnvContext::Totals() {
  return JobTotals{g_completed.load(std::memory_order_relaxed),
                   g_failed.load(std::memory_order_relaxed),
                   g_cancelled.load(std::memory_order_relaxed)};
}

}  // namespace offloop
