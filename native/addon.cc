// Module registration. Context-aware: every env (main thread, each
// worker_thread) gets its own EnvContext; all share the process-wide pool.
#include <napi.h>

#include "bindings.h"
#include "env_context.h"
#include "library_pin.h"

namespace offloop {

Napi::Object RegisterModule(Napi::Env env, Napi::Object exports) {
  // The pool's threads are process-wide and outlive any env; the code they
  // run must outlive every env too (see library_pin.h).
  PinThisLibrary();
  EnvContext::Install(env);
  RegisterPool(env, exports);
  RegisterSquares(env, exports);
  RegisterSum(env, exports);
  RegisterGrayscale(env, exports);
  RegisterOutput(env, exports);
  RegisterFiles(env, exports);
  RegisterInspect(env, exports);
  return exports;
}

}  // namespace offloop

static Napi::Object InitOffloop(Napi::Env env, Napi::Object exports) {
  return offloop::RegisterModule(env, exports);
}

NODE_API_MODULE(offloop, InitOffloop)
