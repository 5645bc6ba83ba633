// Calls for offloop's own tests: the native memory's page counts and
// failure injection (core/fault_injection.h). Not used by lib/'s API.
#include <chrono>
#include <cstdint>
#include <string>

#include "bindings/register.h"
#include "core/fault_injection.h"
#include "core/native_memory.h"
#include "napi/args.h"
#include "napi/errors.h"
#include "napi/guarded.h"

namespace offloop {

namespace {

// Mapped result pages alive and cached, and the most the cache keeps, for
// the teardown and page-cache tests.
Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  memory::PageCounts counts = memory::Counts();
  Napi::Object result = Napi::Object::New(env);
  result.Set("livePages", static_cast<double>(counts.live));
  result.Set("cachedPages", static_cast<double>(counts.cached));
  result.Set("maxCachedPages", static_cast<double>(counts.max_cached));
  return result;
}

// setPageCacheIdleMs(ms): how long the page cache waits, idle, before it
// unmaps what it holds (10 s by default), so a test need not wait that long.
Napi::Value SetPageCacheIdleMs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto ms = GetInteger(env, info[0], "ms", 0, 3600000);
  memory::SetIdleTrimForTests(std::chrono::milliseconds(ms));
  return env.Undefined();
}

// injectFault(kind, count): tests only (core/fault_injection.h).
Napi::Value InjectFault(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"kind\" argument must be a string");
  }
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  const auto count = static_cast<uint32_t>(GetInteger(env, info[1], "count", 0, 1000000));
  if (kind == "reset") {
    fault::DisarmAll();
  } else if (kind == "threadStart") {
    fault::Arm(fault::Point::kThreadStart, count);
  } else if (kind == "chunk") {
    fault::Arm(fault::Point::kChunk, count);
  } else if (kind == "submit") {
    fault::Arm(fault::Point::kSubmit, count);
  } else if (kind == "wake") {
    fault::Arm(fault::Point::kWake, count);
  } else if (kind == "fileWriteNoSpace") {
    fault::Arm(fault::Point::kFileWriteNoSpace, count);
  } else if (kind == "fileReadIo") {
    fault::Arm(fault::Point::kFileReadIo, count);
  } else {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "Unknown fault kind: " + kind);
  }
  return env.Undefined();
}

}  // namespace

void RegisterTestHooks(Napi::Env env, Napi::Object exports) {
  exports.Set("memoryStats", Napi::Function::New(env, Guarded<MemoryStats>, "memoryStats"));
  exports.Set("setPageCacheIdleMs", Napi::Function::New(env, Guarded<SetPageCacheIdleMs>, "setPageCacheIdleMs"));
  exports.Set("injectFault", Napi::Function::New(env, Guarded<InjectFault>, "injectFault"));
}

}  // namespace offloop
