#include "napi/errors.h"

namespace offloop {

namespace {

[[noreturn]] void ThrowWithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

}  // namespace

void ThrowTypeError(Napi::Env env, const char* code, const std::string& message) {
  ThrowWithCode(Napi::TypeError::New(env, message), code);
}

void ThrowRangeError(Napi::Env env, const char* code, const std::string& message) {
  ThrowWithCode(Napi::RangeError::New(env, message), code);
}

void ThrowError(Napi::Env env, const char* code, const std::string& message) {
  ThrowWithCode(Napi::Error::New(env, message), code);
}

Napi::Object FailureObject(Napi::Env env, const JobFailure& failure) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("code", failure.code != nullptr ? failure.code : "ERR_OFFLOOP_NATIVE");
  object.Set("message", failure.message);
  if (failure.system_errno != 0) object.Set("errno", failure.system_errno);
  if (failure.syscall != nullptr) object.Set("syscall", failure.syscall);
  if (failure.target != nullptr) object.Set("target", failure.target);
  return object;
}

}  // namespace offloop
