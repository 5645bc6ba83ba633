#include "napi/guarded.h"

#include <new>

#include "core/pool.h"
#include "napi/errors.h"

namespace offloop {

Napi::Value CallGuarded(const Napi::CallbackInfo& info, Napi::Value (*binding)(const Napi::CallbackInfo&)) {
  Napi::Env env = info.Env();
  try {
    return binding(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const ThreadStartError& error) {
    ThrowError(env, "ERR_OFFLOOP_THREAD_START", error.what());
  } catch (const JobFailedError& error) {
    // The same fields an async call's failure carries (FailureObject).
    const JobFailure& failure = error.failure();
    Napi::Error thrown = Napi::Error::New(env, failure.message);
    Napi::Object fields = FailureObject(env, failure);
    for (const char* key : {"code", "errno", "syscall", "target"}) {
      if (fields.Has(key)) thrown.Value().Set(key, fields.Get(key));
    }
    throw thrown;
  } catch (const std::bad_alloc&) {
    ThrowError(env, "ERR_OFFLOOP_OUT_OF_MEMORY", "offloop ran out of memory");
  } catch (const std::exception& error) {
    ThrowError(env, "ERR_OFFLOOP_NATIVE", error.what());
  } catch (...) {
    ThrowError(env, "ERR_OFFLOOP_NATIVE", "offloop failed in native code");
  }
}

}  // namespace offloop
