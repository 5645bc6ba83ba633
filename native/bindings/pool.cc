// The calls that are not a kernel: setting up an env's link to JS, the
// pool's size and statistics, what this binary is, and failure injection
// for the tests.
#include <string>

#if defined(_WIN32)
#include <windows.h>
#elif defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

#include "args.h"
#include "bindings.h"
#include "codecs/jpeg_decode.h"
#include "codecs/png_decode.h"
#include "core/fault_injection.h"
#include "core/native_memory.h"
#include "core/pool.h"
#include "env_context.h"
#include "kernels/cpu_features.h"
#include "kernels/squares.h"

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

// setIntrinsics({ arrayBufferResizable, sharedArrayBufferGrowable }).
Napi::Value SetIntrinsics(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", "The \"intrinsics\" argument must be an object");
  }
  Napi::Object intrinsics = info[0].As<Napi::Object>();
  EnvContext::From(info.Env())
      ->SetIntrinsics(intrinsics.Get("arrayBufferResizable"), intrinsics.Get("sharedArrayBufferGrowable"));
  return info.Env().Undefined();
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  auto id = GetInteger(info.Env(), info[0], "id", 0, 0xFFFFFFFF);
  bool found = EnvContext::From(info.Env())->Cancel(static_cast<uint32_t>(id));
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
  JobTotals totals = EnvContext::Totals();
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

// Which object holds `symbol`: this addon, a shared codec library, or the
// host process itself (found with dladdr, or Windows' module of an address).
const char* CodecLinkage([[maybe_unused]] const void* symbol) {
#if defined(_WIN32)
  const auto module_of = [](const void* address) {
    HMODULE module = nullptr;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       static_cast<LPCWSTR>(address), &module);
    return module;
  };
  const HMODULE found = module_of(symbol);
  if (found != nullptr) {
    if (found == module_of(reinterpret_cast<const void*>(&CodecLinkage))) return "static";
    return found == GetModuleHandleW(nullptr) ? "runtime" : "system";
  }
#elif defined(__unix__) || defined(__APPLE__)
  Dl_info found{};
  Dl_info self{};
  if (dladdr(symbol, &found) != 0 && found.dli_fname != nullptr &&
      dladdr(reinterpret_cast<const void*>(&CodecLinkage), &self) != 0 && self.dli_fname != nullptr) {
    if (found.dli_fbase == self.dli_fbase) return "static";
    const std::string path = found.dli_fname;
    const std::string name = path.substr(path.find_last_of('/') + 1);
    const bool library = name.rfind("lib", 0) == 0 &&
                         (name.find(".so") != std::string::npos || name.find(".dylib") != std::string::npos);
    return library ? "system" : "runtime";
  }
#endif
#ifdef OFFLOOP_CODECS_STATIC
  return "static";
#else
  return "system";
#endif
}

Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("simd", kernels::SimdLevelName(kernels::DetectedSimdLevel()));
  // The codec libraries in use: built into offloop.node ('static', the
  // prebuilt binaries), the system's shared libraries ('system', a build
  // from source), or the host process's own copy ('runtime': Node exports
  // its zlib, which then wins over the system's).
  Napi::Object codecs = Napi::Object::New(env);
  const struct {
    const char* name;
    const char* library;
    const char* version;
    const void* symbol;
  } libraries[] = {
      {"jpeg", "libjpeg-turbo", codecs::JpegLibraryVersion(), codecs::JpegLibrarySymbol()},
      {"png", "libpng", codecs::PngLibraryVersion(), codecs::PngLibrarySymbol()},
      {"zlib", "zlib", codecs::ZlibVersion(), codecs::ZlibSymbol()},
  };
  for (const auto& library : libraries) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("library", library.library);
    entry.Set("version", library.version);
    entry.Set("linkage", CodecLinkage(library.symbol));
    codecs.Set(library.name, entry);
  }
  result.Set("codecs", codecs);
  return result;
}

// Numbers the JS layer must agree with, read from here rather than repeated.
Napi::Value Constants(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("nativeOutputBytes", static_cast<double>(memory::kNativeOutputBytes));
  result.Set("sumBlock", static_cast<double>(kernels::kSumBlock));
  result.Set("maxThreads", static_cast<double>(ThreadPool::kMaxThreads));
  return result;
}

// Mapped result pages alive and cached, for the teardown tests.
Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  memory::PageCounts counts = memory::Counts();
  Napi::Object result = Napi::Object::New(env);
  result.Set("livePages", static_cast<double>(counts.live));
  result.Set("cachedPages", static_cast<double>(counts.cached));
  return result;
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

void RegisterPool(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Guarded<Init>, "init"));
  exports.Set("setIntrinsics", Napi::Function::New(env, Guarded<SetIntrinsics>, "setIntrinsics"));
  exports.Set("cancel", Napi::Function::New(env, Guarded<Cancel>, "cancel"));
  exports.Set("setConcurrency", Napi::Function::New(env, Guarded<SetConcurrency>, "setConcurrency"));
  exports.Set("getConcurrency", Napi::Function::New(env, Guarded<GetConcurrency>, "getConcurrency"));
  exports.Set("defaultConcurrency",
              Napi::Function::New(env, Guarded<DefaultConcurrencyValue>, "defaultConcurrency"));
  exports.Set("poolStats", Napi::Function::New(env, Guarded<PoolStatsValue>, "poolStats"));
  exports.Set("features", Napi::Function::New(env, Guarded<Features>, "features"));
  exports.Set("constants", Napi::Function::New(env, Guarded<Constants>, "constants"));
  exports.Set("memoryStats", Napi::Function::New(env, Guarded<MemoryStats>, "memoryStats"));
  exports.Set("injectFault", Napi::Function::New(env, Guarded<InjectFault>, "injectFault"));
}

}  // namespace offloop
