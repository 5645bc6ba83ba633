#include "png_segments_job.h"

namespace offloop {

PngSegmentsJob::PngSegmentsJob(Job* parent, const uint8_t* pixels, uint32_t width, uint32_t height, int level,
                               const codecs::PngSegmentPlan& plan)
    : Job(plan.count, plan.count),
      parent_(parent),
      pixels_(pixels),
      width_(width),
      height_(height),
      level_(level),
      plan_(plan),
      segments_(plan.count),
      statuses_(plan.count) {}

void PngSegmentsJob::RunChunk(size_t index) {
  if (parent_->cancelled()) return;
  const auto i = static_cast<uint32_t>(index);
  statuses_[index] = codecs::DeflatePngSegment(pixels_, width_, height_, width_, plan_, i, level_, &segments_[index]);
  if (statuses_[index].ok()) parent_->AddItemsDone(segments_[index].rows);
}

const codecs::Status* PngSegmentsJob::FirstFailure() const {
  for (const codecs::Status& status : statuses_) {
    if (!status.ok()) return &status;
  }
  return nullptr;
}

}  // namespace offloop
