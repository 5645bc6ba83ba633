// How native failures reach JS: errors with Node-style `code`s, and a
// failed pool job's fields. Thrown as Napi::Error (NAPI_CPP_EXCEPTIONS), so
// a binding stops where it throws.
#pragma once

#include <exception>
#include <string>

#include <napi.h>

#include "core/job.h"

namespace offloop {

[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowError(Napi::Env env, const char* code, const std::string& message);

// A job's native failure, thrown from synchronous calls.
class JobFailedError : public std::exception {
 public:
  explicit JobFailedError(const JobFailure& failure) : failure_(failure) {}
  const char* what() const noexcept override { return failure_.message; }
  const char* code() const { return failure_.code; }
  const JobFailure& failure() const { return failure_; }

 private:
  JobFailure failure_;
};

// { code, message[, errno, syscall, target] }: how JS hears of a failure.
Napi::Object FailureObject(Napi::Env env, const JobFailure& failure);

}  // namespace offloop
