// A synchronous call: a job run to completion while the calling JS thread
// waits, on the pool (or inline when it is a single chunk that may run so).
#pragma once

#include <cstdint>
#include <memory>

#include <napi.h>

#include "core/job.h"

namespace offloop {

// Runs `job`, calling `progress(done, total)` about every 16 ms when it is
// a function. If `progress` throws, the job is cancelled and drained before
// the exception propagates. Throws JobFailedError when a chunk failed.
// Returns the job's Overflow().
int64_t RunSync(Napi::Env env, const std::shared_ptr<Job>& job, const Napi::Value& progress);

}  // namespace offloop
