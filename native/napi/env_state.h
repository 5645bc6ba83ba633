// What offloop keeps per environment (the main thread, each worker_thread),
// as the module's instance data: the captured intrinsics and the job table.
// Freed by Node with the env, after the job table's cleanup hook ran.
#pragma once

#include <napi.h>

#include "napi/intrinsics.h"
#include "napi/job_table.h"

namespace offloop {

struct EnvState {
  explicit EnvState(napi_env env) : jobs(env) {}

  // Creates `env`'s state; once, when the module registers in that env.
  static void Install(Napi::Env env);
  static EnvState* From(Napi::Env env);

  Intrinsics intrinsics;
  JobTable jobs;
};

}  // namespace offloop
