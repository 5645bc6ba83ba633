#include "args.h"

#include <cmath>
#include <new>
#include <string>

#include "core/pool.h"
#include "env_context.h"

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

Napi::Value CallGuarded(const Napi::CallbackInfo& info,
                        Napi::Value (*binding)(const Napi::CallbackInfo&)) {
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

TypedArrayView GetTypedArray(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   std::string("The \"") + name + "\" argument must be a TypedArray");
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t byte_offset = 0;
  NAPI_THROW_IF_FAILED(env,
                       napi_get_typedarray_info(env, value, &type, &length, &data, &buffer,
                                                &byte_offset),
                       TypedArrayView());
  bool detached = false;
  NAPI_THROW_IF_FAILED(env, napi_is_detached_arraybuffer(env, buffer, &detached),
                       TypedArrayView());
  if (detached) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string("The \"") + name + "\" argument's ArrayBuffer is detached");
  }
  // A resizable/growable buffer could change length while a thread uses it.
  if (EnvContext::From(env)->LengthCanChange(buffer)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string("The \"") + name +
                       "\" argument must not use a resizable or growable buffer");
  }
  TypedArrayView view;
  view.type = type;
  view.data = static_cast<uint8_t*>(data);
  view.length = length;
  view.byte_length = Napi::TypedArray(env, value).ByteLength();
  if (view.data == nullptr && view.byte_length != 0) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string("The \"") + name + "\" argument has no backing memory");
  }
  return view;
}

int64_t GetInteger(Napi::Env env, const Napi::Value& value, const char* name, int64_t min,
                   int64_t max) {
  if (!value.IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   std::string("The \"") + name + "\" argument must be of type number");
  }
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::trunc(number) != number ||
      number < static_cast<double>(min) || number > static_cast<double>(max)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE",
                    std::string("The value of \"") + name + "\" is out of range. It must be an integer >= " +
                        std::to_string(min) + " and <= " + std::to_string(max));
  }
  return static_cast<int64_t>(number);
}

bool GetBoolean(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsBoolean()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   std::string("The \"") + name + "\" argument must be of type boolean");
  }
  return value.As<Napi::Boolean>().Value();
}

bool Overlap(const TypedArrayView& a, const TypedArrayView& b) {
  if (a.byte_length == 0 || b.byte_length == 0) return false;
  auto a_begin = reinterpret_cast<uintptr_t>(a.data);
  auto b_begin = reinterpret_cast<uintptr_t>(b.data);
  return a_begin < b_begin + b.byte_length && b_begin < a_begin + a.byte_length;
}

}  // namespace offloop
