// Results of the codecs: a stable code and a short message, in a fixed-size
// value that never allocates (it may be reporting that an allocation failed)
// and can be copied into a JobFailure as it is.
#pragma once

#include <cstddef>

namespace offloop::codecs {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // the caller's mistake (null data, bad quality, short target)
  kEmpty,            // zero bytes of input
  kUnsupported,      // a format or a variant of one we do not decode (webp, 12-bit JPEG...)
  kTruncated,        // the data ends before the image does
  kCorrupt,          // the data is not a valid image of its format
  kTooLarge,         // header dimensions over the caller's pixel limit, or a codec limit
  kOutOfMemory,      // an allocation failed
  kCancelled,        // the caller's cancel flag was seen
  kInternal,         // a codec misbehaved in a way that should not happen
};

// The stable string for a code, e.g. "ERR_OFFLOOP_TRUNCATED_IMAGE" (what JS
// errors would carry as `code`). Static storage.
const char* ErrorCodeName(ErrorCode code);

struct Status {
  ErrorCode code = ErrorCode::kOk;
  char message[160] = {};

  bool ok() const { return code == ErrorCode::kOk; }
  static Status Ok() { return Status(); }
  // printf-style message; truncated to fit.
  static Status Error(ErrorCode code, const char* format, ...)
#if defined(__MINGW32__)
      // MinGW builds use its C99 printf (__USE_MINGW_ANSI_STDIO), not msvcrt's: %zu works.
      __attribute__((format(gnu_printf, 2, 3)))
#elif defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;
};

}  // namespace offloop::codecs
