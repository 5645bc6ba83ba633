#include "napi/sync_call.h"

#include <chrono>

#include "core/done_waiter.h"
#include "core/pool.h"
#include "napi/errors.h"
#include "napi/settled_counts.h"

namespace offloop {

namespace {

// How often a synchronous call with a progress callback reports.
constexpr auto kSyncProgressInterval = std::chrono::milliseconds(16);

}  // namespace

int64_t RunSync(Napi::Env env, const std::shared_ptr<Job>& job, const Napi::Value& progress) {
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
          CountSettled(SettledOutcome::kCancelled);
          throw Napi::Error::New(env);  // the pending exception, as is
        }
      }
    }
    CountSettled(job->failed()                         ? SettledOutcome::kFailed
                 : job->Overflow() != Job::kNoOverflow ? SettledOutcome::kFailed
                                                       : SettledOutcome::kCompleted);
  }
  if (job->failed()) throw JobFailedError(job->failure());
  return job->Overflow();
}

}  // namespace offloop
