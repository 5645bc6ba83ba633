// The segments of one PNG encoding (codecs/png_segments.h) as a job whose
// chunks the pool runs in parallel: a file job forks it with
// ThreadPool::RunHelping and joins the segments when it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/png_segments.h"
#include "core/job.h"

namespace offloop {

class PngSegmentsJob : public Job {
 public:
  // `parent` is the file job: its cancellation stops the segments not yet
  // started, and each finished segment counts its rows as the parent's
  // progress. `pixels` stays alive and unchanged until this job is done.
  PngSegmentsJob(Job* parent, const uint8_t* pixels, uint32_t width, uint32_t height, int level,
                 const codecs::PngSegmentPlan& plan);

  void RunChunk(size_t index) override;
  uint64_t ChunkItems(size_t) const override { return 0; }

  std::vector<codecs::PngSegment>& segments() { return segments_; }
  // The first segment's failure, if any (valid once the job is done).
  const codecs::Status* FirstFailure() const;

 private:
  Job* parent_;
  const uint8_t* pixels_;
  uint32_t width_;
  uint32_t height_;
  int level_;
  codecs::PngSegmentPlan plan_;
  std::vector<codecs::PngSegment> segments_;
  std::vector<codecs::Status> statuses_;
};

}  // namespace offloop
