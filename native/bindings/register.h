// What each binding file (bindings/*.cc) adds to the module's exports;
// addon.cc calls them all once per env.
#pragma once

#include <napi.h>

namespace offloop {

void RegisterPool(Napi::Env env, Napi::Object exports);
void RegisterConstants(Napi::Env env, Napi::Object exports);
void RegisterDiagnostics(Napi::Env env, Napi::Object exports);
void RegisterTestHooks(Napi::Env env, Napi::Object exports);
void RegisterSquares(Napi::Env env, Napi::Object exports);
void RegisterSum(Napi::Env env, Napi::Object exports);
void RegisterGrayscale(Napi::Env env, Napi::Object exports);
void RegisterOutput(Napi::Env env, Napi::Object exports);
void RegisterFiles(Napi::Env env, Napi::Object exports);
void RegisterInspect(Napi::Env env, Napi::Object exports);

}  // namespace offloop
