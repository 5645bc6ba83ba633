#include "napi/args.h"

#include <cmath>
#include <string>

#include "napi/errors.h"

namespace offloop {

int64_t GetInteger(Napi::Env env, const Napi::Value& value, const char* name, int64_t min, int64_t max) {
  if (!value.IsNumber()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", std::string("The \"") + name + "\" argument must be of type number");
  }
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::trunc(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE",
                    std::string("The value of \"") + name + "\" is out of range. It must be an integer >= " +
                        std::to_string(min) + " and <= " + std::to_string(max));
  }
  return static_cast<int64_t>(number);
}

bool GetBoolean(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsBoolean()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", std::string("The \"") + name + "\" argument must be of type boolean");
  }
  return value.As<Napi::Boolean>().Value();
}

}  // namespace offloop
