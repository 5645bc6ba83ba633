// Module registration and the pool-level calls. Context-aware: every env
// (main thread, each worker_thread) gets its own EnvContext; all share the
// process-wide pool.
#include <napi.h>

#include "args.h"
#include "bindings.h"
#include "env_context.h"
#include "kernels/cpu_features.h"
#include "pool.h"

namespace offloop {

namespace {

// init(dispatch): dispatch(id, status, value, total) settles jobs in JS.
Napi::Value Init(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "The \"dispatch\" argument must be a function");
  }
  bool installed = EnvContext::From(info.Env())->Init(info[0].As<Napi::Function>());
  return Napi::Boolean::New(info.Env(), installed);
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  auto id = GetInteger(info.Env(), info[0], "id", 0, 0xFFFFFFFF);
  bool found = EnvContext::From(info.Env())->Cancel(static_cast<uint32_t>(id));
  return Napi::Boolean::New(info.Env(), found);
}

Napi::Value SetConcurrency(const Napi::CallbackInfo& info) {
  auto threads = GetInteger(info.Env(), info[0], "concurrency", 1, ThreadPool::kMaxThreads);
  try {
    ThreadPool::Instance().SetConcurrency(static_cast<size_t>(threads));
  } catch (const std::system_error& error) {
    ThrowRangeError(info.Env(), "ERR_OFFLOOP_THREAD_START",
                    std::string("Could not start pool threads: ") + error.what());
  }
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
  JobTotals totals = EnvContext::Totals();
  Napi::Object result = Napi::Object::New(env);
  result.Set("threads", static_cast<double>(stats.threads));
  result.Set("busyThreads", static_cast<double>(stats.busy_threads));
  result.Set("queuedJobs", static_cast<double>(stats.queued_jobs));
  result.Set("runningJobs", static_cast<double>(stats.running_jobs));
  result.Set("completedJobs", static_cast<double>(totals.completed));
  result.Set("failedJobs", static_cast<double>(totals.failed));
  result.Set("cancelledJobs", static_cast<double>(totals.cancelled));
  return result;
}

Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("simd", kernels::SimdLevelName(kernels::DetectedSimdLevel()));
  return result;
}

}  // namespace

Napi::Object RegisterModule(Napi::Env env, Napi::Object exports) {
  EnvContext::Install(env);
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel"));
  exports.Set("setConcurrency", Napi::Function::New(env, SetConcurrency, "setConcurrency"));
  exports.Set("getConcurrency", Napi::Function::New(env, GetConcurrency, "getConcurrency"));
  exports.Set("defaultConcurrency",
              Napi::Function::New(env, DefaultConcurrencyValue, "defaultConcurrency"));
  exports.Set("poolStats", Napi::Function::New(env, PoolStatsValue, "poolStats"));
  exports.Set("features", Napi::Function::New(env, Features, "features"));
  RegisterSquares(env, exports);
  RegisterSum(env, exports);
  RegisterGrayscale(env, exports);
  RegisterOutputMemory(env, exports);
  return exports;
}

}  // namespace offloop

static Napi::Object InitOffloop(Napi::Env env, Napi::Object exports) {
  return offloop::RegisterModule(env, exports);
}

NODE_API_MODULE(offloop, InitOffloop)
