#include "errors.h"

#include <cstdarg>
#include <cstdio>

namespace offloop::codecs {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "OK";
    case ErrorCode::kInvalidArgument:
      return "ERR_OFFLOOP_INVALID_ARGUMENT";
    case ErrorCode::kEmpty:
      return "ERR_OFFLOOP_EMPTY_INPUT";
    case ErrorCode::kUnsupported:
      return "ERR_OFFLOOP_UNSUPPORTED_FORMAT";
    case ErrorCode::kTruncated:
      return "ERR_OFFLOOP_TRUNCATED_IMAGE";
    case ErrorCode::kCorrupt:
      return "ERR_OFFLOOP_CORRUPT_IMAGE";
    case ErrorCode::kTooLarge:
      return "ERR_OFFLOOP_INPUT_TOO_LARGE";
    case ErrorCode::kOutOfMemory:
      return "ERR_OFFLOOP_OUT_OF_MEMORY";
    case ErrorCode::kCancelled:
      return "ERR_OFFLOOP_CANCELLED";
    case ErrorCode::kInternal:
      return "ERR_OFFLOOP_NATIVE";
  }
  return "ERR_OFFLOOP_NATIVE";
}

Status Status::Error(ErrorCode code, const char* format, ...) {
  Status status;
  status.code = code;
  va_list args;
  va_start(args, format);
  std::vsnprintf(status.message, sizeof status.message, format, args);
  va_end(args);
  return status;
}

}  // namespace offloop::codecs
