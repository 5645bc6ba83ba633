// The shared steps of a kernel call: validate into a PreparedCall, then
// submit it to the env's job table (async) or run it while the caller waits
// (sync).
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/native_memory.h"
#include "napi/args.h"
#include "napi/buffers.h"
#include "napi/env_state.h"
#include "napi/errors.h"
#include "napi/sync_call.h"

namespace offloop {

// What a binding prepares from its arguments: the job, and the JS values
// whose memory the job touches (kept alive until it settles).
template <typename JobType>
struct PreparedCall {
  std::shared_ptr<JobType> job;
  std::vector<napi_value> keep_alive;

  // Keeps `value` (a validated TypedArray) alive for the job, and makes the
  // job a co-owner of its memory when offloop mapped that memory itself:
  // Node may release the JS side of such memory before any cleanup hook.
  void Keep(const Napi::Value& value, const TypedArrayView& view) {
    keep_alive.push_back(value);
    if (view.byte_length > 0) job->KeepMemory(memory::FindOwner(view.data));
  }
};

// Hands a prepared call to this env's job table; `wants_progress` (a
// boolean) says whether JS wants progress reports. When the job resolves,
// its promise gets `result(env, job)` (else undefined). Returns the job id
// JS settles by.
template <typename JobType>
Napi::Value SubmitPrepared(Napi::Env env, const PreparedCall<JobType>& call, const Napi::Value& wants_progress,
                           Napi::Value (*result)(Napi::Env, JobType&) = nullptr) {
  const bool progress = GetBoolean(env, wants_progress, "wantsProgress");
  JobTable::ResultFn settle;
  if (result != nullptr) {
    settle = [job = call.job, result](Napi::Env settle_env) { return result(settle_env, *job); };
  }
  const uint32_t id = EnvState::From(env)->jobs.Submit(call.job, call.keep_alive, progress, std::move(settle));
  return Napi::Number::New(env, id);
}

// Runs a prepared call on the pool while the calling thread waits;
// `progress` is undefined or the progress callback. Returns the job's
// Overflow().
template <typename JobType>
int64_t RunPrepared(Napi::Env env, const PreparedCall<JobType>& call, const Napi::Value& progress) {
  if (!progress.IsUndefined() && !progress.IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"progress\" argument must be a function or undefined");
  }
  return RunSync(env, call.job, progress);
}

}  // namespace offloop
