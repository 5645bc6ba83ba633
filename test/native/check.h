// The few lines every native test binary shares: count checks, print the
// first failures, and end with the "N passed, M failed" line that
// test/kernels-native.test.ts and CI read.
#pragma once

#include <cstdio>
#include <string>

namespace offloop::testing {

inline int& PassedChecks() {
  static int passed = 0;
  return passed;
}

inline int& FailedChecks() {
  static int failed = 0;
  return failed;
}

inline void Check(bool ok, const std::string& what) {
  if (ok) {
    ++PassedChecks();
  } else if (++FailedChecks() <= 50) {
    std::printf("FAIL: %s\n", what.c_str());
  }
}

// Prints the summary line; the process's exit code.
inline int Summary() {
  std::printf("%d passed, %d failed\n", PassedChecks(), FailedChecks());
  return FailedChecks() == 0 ? 0 : 1;
}

}  // namespace offloop::testing
