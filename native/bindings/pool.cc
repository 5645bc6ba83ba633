// The calls that are not a kernel: setting up an env's link to JS, the
// pool's size and statistics.
#include "bindings/register.h"
#include "core/pool.h"
#include "napi/args.h"
#include "napi/env_state.h"
#include "napi/errors.h"
#include "napi/guarded.h"
#include "napi/settled_counts.h"

namespace offloop {

namespace {

// init(dispatch): dispatch(id, status, value, total) settles jobs in JS.
Napi::Value Init(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "The \"dispatch\" argument must be a function");
  }
  bool installed = EnvState::From(info.Env())->jobs.Init(info[0].As<Napi::Function>());
  return Napi::Boolean::New(info.Env(), installed);
}

// setIntrinsics({ arrayBufferResizable, sharedArrayBufferGrowable }).
Napi::Value SetIntrinsics(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "The \"intrinsics\" argument must be an object");
  }
  Napi::Object intrinsics = info[0].As<Napi::Object>();
  EnvState::From(info.Env())
      ->intrinsics.Set(intrinsics.Get("arrayBufferResizable"), intrinsics.Get("sharedArrayBufferGrowable"));
  return info.Env().Undefined();
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  auto id = GetInteger(info.Env(), info[0], "id", 0, 0xFFFFFFFF);
  bool found = EnvState::From(info.Env())->jobs.Cancel(static_cast<uint32_t>(id));
  return Napi::Boolean::New(info.Env(), found);
}

Napi::Value SetConcurrency(const Napi::CallbackInfo& info) {
  auto threads = GetInteger(info.Env(), info[0], "concurrency", 1, ThreadPool::kMaxThreads);
  ThreadPool::Instance().SetConcurrency(static_cast<size_t>(threads));
  return info.Env().Undefined();
}

Napi::Value GetConcurrency(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(ThreadPool::Instance().Concurrency()));
}

Napi::Value DefaultConcurrencyValue(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(DefaultConcurrency()));
}

Napi::Value PoolStatsValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PoolStats stats = ThreadPool::Instance().Stats();
  SettledCounts totals = ReadSettledCounts();
  Napi::Object result = Napi::Object::New(env);
  result.Set("threads", static_cast<double>(stats.threads));
  result.Set("liveThreads", static_cast<double>(stats.live_threads));
  result.Set("busyThreads", static_cast<double>(stats.busy_threads));
  result.Set("queuedJobs", static_cast<double>(stats.queued_jobs));
  result.Set("runningJobs", static_cast<double>(stats.running_jobs));
  result.Set("completedJobs", static_cast<double>(totals.completed));
  result.Set("failedJobs", static_cast<double>(totals.failed));
  result.Set("cancelledJobs", static_cast<double>(totals.cancelled));
  return result;
}

}  // namespace

void RegisterPool(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Guarded<Init>, "init"));
  exports.Set("setIntrinsics", Napi::Function::New(env, Guarded<SetIntrinsics>, "setIntrinsics"));
  exports.Set("cancel", Napi::Function::New(env, Guarded<Cancel>, "cancel"));
  exports.Set("setConcurrency", Napi::Function::New(env, Guarded<SetConcurrency>, "setConcurrency"));
  exports.Set("getConcurrency", Napi::Function::New(env, Guarded<GetConcurrency>, "getConcurrency"));
  exports.Set("defaultConcurrency", Napi::Function::New(env, Guarded<DefaultConcurrencyValue>, "defaultConcurrency"));
  exports.Set("poolStats", Napi::Function::New(env, Guarded<PoolStatsValue>, "poolStats"));
}

}  // namespace offloop
