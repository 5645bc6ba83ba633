// 8-bit gray PNG encoding cut into segments of rows that separate threads
// can filter and deflate at the same time, joined into one ordinary PNG
// (pigz's approach): each segment is a raw deflate stream primed with the
// 32 KiB of filtered data before it (deflateSetDictionary), so matches still
// reach back across the cut and the file is as small as a one-piece encode;
// every segment but the last ends with a sync flush (byte-aligned); the
// zlib header goes before the first and the Adler-32 of the whole, combined
// from the segments' (adler32_combine), after the last.
//
// Built with libdeflate (OFFLOOP_HAVE_LIBDEFLATE, as the prebuilt binaries
// are), segments only filter their rows and AssemblePng deflates all of them
// in one libdeflate call: libdeflate has no streaming and no dictionary, but
// costs a third to a half of zlib's CPU time for files as small (measured on
// the bench corpus, native/codecs/README.md). The file is one zlib stream either way.
//
// Rows are filtered as libpng does by default for 8-bit gray: per row, the
// one of the five PNG filters whose output has the smallest sum of absolute
// (signed) values. Only zlib is used; no libpng state, so no longjmp.
//
// Use: plan = PlanPngSegments(w, h); DeflatePngSegment(i) for every i, on any
// threads, in any order; then AssemblePng. Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>

#include "errors.h"
#include "output_buffer.h"
#include "scratch.h"

namespace offloop::codecs {

// The deflate library that compresses: "libdeflate" or "zlib", its version,
// and the address of one of its functions as bound at load time (see
// JpegLibrarySymbol).
const char* DeflateLibraryName();
const char* DeflateLibraryVersion();
const void* DeflateLibrarySymbol();

struct PngSegmentPlan {
  uint32_t rows_per_segment = 0;
  uint32_t count = 0;
};

// About 1 MiB of pixels per segment (at least one row): ~30 ms of deflate,
// far longer than handing a segment to a thread, and few enough that the
// sync flushes (5 bytes each) cost nothing.
PngSegmentPlan PlanPngSegments(uint32_t width, uint32_t height);
// With another segment size (tests use tiny ones to cut small images).
PngSegmentPlan PlanPngSegments(uint32_t width, uint32_t height, size_t segment_pixels);

struct PngSegment {
  OutputBuffer deflated;
  unsigned long adler = 1;  // Adler-32 of this segment's filtered bytes
  uint64_t filtered_bytes = 0;
  uint32_t rows = 0;
};

// Filters and deflates segment `index` of `plan` from `pixels` (width *
// height, `stride` bytes between rows). level: zlib's 0..9.
Status DeflatePngSegment(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                         const PngSegmentPlan& plan, uint32_t index, int level, PngSegment* segment) noexcept;

// The PNG file: signature, IHDR, one IDAT per segment, IEND. With
// libdeflate, the joined rows and the deflated stream are `scratch` bytes
// (nullptr: new[]).
Status AssemblePng(uint32_t width, uint32_t height, int level, const PngSegment* segments, uint32_t count,
                   OutputBuffer* out, ScratchAllocator scratch = nullptr) noexcept;

}  // namespace offloop::codecs
