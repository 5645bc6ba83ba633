#include "napi/env_state.h"

namespace offloop {

void EnvState::Install(Napi::Env env) { env.SetInstanceData(new EnvState(env)); }

EnvState* EnvState::From(Napi::Env env) { return env.GetInstanceData<EnvState>(); }

}  // namespace offloop
