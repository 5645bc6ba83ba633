// Module registration. Context-aware: every env (main thread, each
// worker_thread) gets its own EnvState; all share the process-wide pool.
#include <napi.h>

#include "bindings/register.h"
#include "napi/env_state.h"
#include "napi/library_pin.h"

namespace offloop {

Napi::Object RegisterModule(Napi::Env env, Napi::Object exports) {
  // The pool's threads are process-wide and outlive any env; the code they
  // run must outlive every env too (see napi/library_pin.h).
  PinThisLibrary();
  EnvState::Install(env);
  RegisterPool(env, exports);
  RegisterConstants(env, exports);
  RegisterDiagnostics(env, exports);
  RegisterTestHooks(env, exports);
  RegisterSquares(env, exports);
  RegisterSum(env, exports);
  RegisterGrayscale(env, exports);
  RegisterOutput(env, exports);
  RegisterFiles(env, exports);
  RegisterInspect(env, exports);
  return exports;
}

}  // namespace offloop

static Napi::Object InitOffloop(Napi::Env env, Napi::Object exports) { return offloop::RegisterModule(env, exports); }

NODE_API_MODULE(offloop, InitOffloop)
