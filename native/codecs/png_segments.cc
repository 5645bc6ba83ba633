#include "png_segments.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include <zlib.h>
#if OFFLOOP_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "png_filter.h"

namespace offloop::codecs {

namespace {

// (Used by the zlib path only: clang's -Wunused-const-variable, an error
// under -Werror, would stop a build that links libdeflate.)
[[maybe_unused]] constexpr size_t kWindow = 32768;  // deflate's window: what a dictionary can reach
constexpr size_t kSegmentPixels = size_t{1} << 20;

// Filters rows [first, first + rows) into `out` ((width + 1) bytes a row).
// `scratch` holds 5 * width bytes (the last width: the zero row above row 0).
void FilterRows(const uint8_t* pixels, uint32_t width, size_t stride, uint32_t first, uint32_t rows, uint8_t* scratch,
                uint8_t* out) {
  uint8_t* zeros = scratch + 4 * size_t{width};
  std::memset(zeros, 0, width);
  for (uint32_t i = 0; i < rows; ++i) {
    const uint32_t y = first + i;
    const uint8_t* row = pixels + size_t{y} * stride;
    const uint8_t* prior = y > 0 ? row - stride : zeros;
    FilterGrayRow(row, prior, width, scratch, out + size_t{i} * (size_t{width} + 1));
  }
}

#if !OFFLOOP_HAVE_LIBDEFLATE
// zlib's own header bytes for a stream at `level` (deflate's level_flags).
void ZlibHeader(int level, uint8_t header[2]) {
  const unsigned flags = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
  unsigned value = (0x78u << 8) | (flags << 6);
  value += 31 - value % 31;
  header[0] = static_cast<uint8_t>(value >> 8);
  header[1] = static_cast<uint8_t>(value);
}
#endif

void PutBig32(uint8_t* at, uint32_t value) {
  at[0] = static_cast<uint8_t>(value >> 24);
  at[1] = static_cast<uint8_t>(value >> 16);
  at[2] = static_cast<uint8_t>(value >> 8);
  at[3] = static_cast<uint8_t>(value);
}

// A chunk whose data is the concatenation of `parts`.
bool AppendChunk(OutputBuffer* out, const char type[4], const uint8_t* const* parts, const size_t* sizes, int count) {
  size_t length = 0;
  for (int i = 0; i < count; ++i) length += sizes[i];
  if (length > 0x7FFFFFFFu) return false;
  uint8_t head[8];
  PutBig32(head, static_cast<uint32_t>(length));
  std::memcpy(head + 4, type, 4);
  unsigned long crc = crc32(0, reinterpret_cast<const Bytef*>(type), 4);
  if (!out->Append(head, 8)) return false;
  for (int i = 0; i < count; ++i) {
    if (!out->Append(parts[i], sizes[i])) return false;
    // crc32 takes a uInt length: feed large parts in pieces.
    const uint8_t* p = parts[i];
    size_t left = sizes[i];
    while (left > 0) {
      const uInt piece = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
      crc = crc32(crc, p, piece);
      p += piece;
      left -= piece;
    }
  }
  uint8_t tail[4];
  PutBig32(tail, static_cast<uint32_t>(crc));
  return out->Append(tail, 4);
}

#if OFFLOOP_HAVE_LIBDEFLATE
constexpr size_t kMaxIdat = size_t{1} << 30;  // a chunk's length must stay below 2^31

// libdeflate's level for a zlib level: one step up. At the same number
// libdeflate 1.14 searches less than zlib and its files came out up to 3.3%
// larger than Pillow's on the bench corpus; one level up they are smaller than
// Pillow's and still take less CPU than zlib's (see native/codecs/README.md).
int LibdeflateLevel(int zlib_level) { return zlib_level == 0 ? 0 : std::min(zlib_level + 1, 9); }

// At zlib's default level 6, libdeflate's 7 costs about twice its 6, and its
// 6 is within 3% of its 7 on the noisy photos that take most of the time but
// up to 15% larger on smooth ones (native/codecs/README.md). So slices of
// the rows are deflated at both, and 6 is taken when its slices come out at
// most 3% larger. Three slices of 128 KiB predicted the whole image's ratio
// of 6 to 7 within 0.01 on 38 of the 39 bench corpus images (0.05 on the
// other); they cost about a tenth of a level-6 deflate of a 9 MP image.
// Smaller images keep 7: they cost little either way.
constexpr int kTrialZlibLevel = 6;
constexpr size_t kTrialSliceBytes = size_t{128} << 10;
constexpr size_t kTrialSlices = 3;
constexpr size_t kTrialMinBytes = 4 * kTrialSlices * kTrialSliceBytes;
constexpr size_t kTrialTolerancePercent = 3;

struct LibdeflateCompressor {
  libdeflate_compressor* compressor;
  ~LibdeflateCompressor() {
    if (compressor != nullptr) libdeflate_free_compressor(compressor);
  }
};

// The trial slices' deflated size at `compressor`'s level, written into
// `out` (room for one slice's bound); 0 when one does not fit.
size_t TrialSize(libdeflate_compressor* compressor, const uint8_t* rows, size_t size, uint8_t* out, size_t room) {
  size_t total = 0;
  for (size_t i = 0; i < kTrialSlices; ++i) {
    const size_t at = (2 * i + 1) * size / (2 * kTrialSlices) - kTrialSliceBytes / 2;
    const size_t deflated = libdeflate_deflate_compress(compressor, rows + at, kTrialSliceBytes, out, room);
    if (deflated == 0) return 0;
    total += deflated;
  }
  return total;
}

// The zlib stream of all segments' filtered rows, deflated in one piece
// into `stream` (scratch bytes owned by *owner), *size bytes of it.
Status DeflateWhole(const PngSegment* segments, uint32_t count, int level, ScratchAllocator scratch,
                    std::shared_ptr<void>* owner, const uint8_t** stream, size_t* size) {
  size_t filtered = 0;
  for (uint32_t i = 0; i < count; ++i) filtered += segments[i].deflated.size();
  std::shared_ptr<void> joined_owner;
  const uint8_t* input = count == 1 ? segments[0].deflated.data() : nullptr;
  if (count != 1) {
    uint8_t* joined = AllocateScratch(scratch, filtered, &joined_owner);
    if (joined == nullptr) return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory joining rows");
    size_t at = 0;
    for (uint32_t i = 0; i < count; ++i) {
      std::memcpy(joined + at, segments[i].deflated.data(), segments[i].deflated.size());
      at += segments[i].deflated.size();
    }
    input = joined;
  }
  LibdeflateCompressor compressor{libdeflate_alloc_compressor(LibdeflateLevel(level))};
  if (compressor.compressor == nullptr) return Status::Error(ErrorCode::kOutOfMemory, "PNG: cannot start deflate");
  const size_t bound = libdeflate_zlib_compress_bound(compressor.compressor, filtered);
  uint8_t* out = AllocateScratch(scratch, bound, owner);
  if (out == nullptr) return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for deflated rows");
  if (level == kTrialZlibLevel && filtered >= kTrialMinBytes) {
    // The slices go where the stream will; the stream overwrites them.
    LibdeflateCompressor lower{libdeflate_alloc_compressor(level)};
    if (lower.compressor == nullptr) return Status::Error(ErrorCode::kOutOfMemory, "PNG: cannot start deflate");
    const size_t room = libdeflate_deflate_compress_bound(compressor.compressor, kTrialSliceBytes);
    const size_t higher_size = TrialSize(compressor.compressor, input, filtered, out, room);
    const size_t lower_size = TrialSize(lower.compressor, input, filtered, out, room);
    if (higher_size != 0 && lower_size != 0 && lower_size <= higher_size + higher_size * kTrialTolerancePercent / 100) {
      std::swap(compressor.compressor, lower.compressor);
    }
  }
  *size = libdeflate_zlib_compress(compressor.compressor, input, filtered, out, bound);
  if (*size == 0) return Status::Error(ErrorCode::kInternal, "PNG: libdeflate could not compress the rows");
  *stream = out;
  return Status::Ok();
}
#endif

#if !OFFLOOP_HAVE_LIBDEFLATE
struct Deflater {
  z_stream stream{};
  bool ready = false;
  ~Deflater() {
    if (ready) deflateEnd(&stream);
  }
};
#endif

}  // namespace

#if OFFLOOP_HAVE_LIBDEFLATE
const char* DeflateLibraryName() { return "libdeflate"; }
const char* DeflateLibraryVersion() { return LIBDEFLATE_VERSION_STRING; }
const void* DeflateLibrarySymbol() { return reinterpret_cast<const void*>(&libdeflate_zlib_compress); }
#else
const char* DeflateLibraryName() { return "zlib"; }
const char* DeflateLibraryVersion() { return zlibVersion(); }
const void* DeflateLibrarySymbol() { return reinterpret_cast<const void*>(&deflate); }
#endif

PngSegmentPlan PlanPngSegments(uint32_t width, uint32_t height) {
  return PlanPngSegments(width, height, kSegmentPixels);
}

PngSegmentPlan PlanPngSegments(uint32_t width, uint32_t height, size_t segment_pixels) {
  PngSegmentPlan plan;
  if (height == 0) return plan;
  const size_t rows = width == 0 ? height : std::max<size_t>(1, segment_pixels / width);
  plan.rows_per_segment = static_cast<uint32_t>(std::min<size_t>(rows, height));
  plan.count = (height + plan.rows_per_segment - 1) / plan.rows_per_segment;
  return plan;
}

Status DeflatePngSegment(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                         const PngSegmentPlan& plan, uint32_t index, int level, PngSegment* segment) noexcept {
  if (index >= plan.count || level < 0 || level > 9 || pixels == nullptr || stride < width) {
    return Status::Error(ErrorCode::kInvalidArgument, "PNG: bad segment %u of %u", index, plan.count);
  }
  const uint32_t first = index * plan.rows_per_segment;
  const uint32_t rows = std::min(plan.rows_per_segment, height - first);
  const size_t row_bytes = size_t{width} + 1;
#if OFFLOOP_HAVE_LIBDEFLATE
  // libdeflate deflates whole buffers only, with no dictionary to prime: the
  // segment keeps its filtered rows and AssemblePng deflates them all at once.
  (void)level;
  const size_t filtered = row_bytes * rows;
  std::unique_ptr<uint8_t[]> scratch(new (std::nothrow) uint8_t[5 * size_t{width} + 1]);
  OutputBuffer& out = segment->deflated;
  out.Clear();
  if (!scratch || !out.Reserve(filtered)) {
    return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory filtering rows");
  }
  FilterRows(pixels, width, stride, first, rows, scratch.get(), out.free_space());
  out.Commit(filtered);
#else
  // The rows before this segment whose filtered bytes prime the window.
  const uint32_t primer_rows =
      index == 0 ? 0 : std::min<uint32_t>(first, static_cast<uint32_t>((kWindow + row_bytes - 1) / row_bytes));
  const size_t filtered = row_bytes * rows;
  const size_t primer = row_bytes * primer_rows;

  std::unique_ptr<uint8_t[]> buffer(new (std::nothrow) uint8_t[primer + filtered + 5 * size_t{width} + 1]);
  if (!buffer) return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory filtering rows");
  uint8_t* scratch = buffer.get() + primer + filtered;
  FilterRows(pixels, width, stride, first - primer_rows, primer_rows + rows, scratch, buffer.get());
  const uint8_t* data = buffer.get() + primer;

  Deflater deflater;
  if (deflateInit2(&deflater.stream, level, Z_DEFLATED, -15, 8, Z_FILTERED) != Z_OK) {
    return Status::Error(ErrorCode::kOutOfMemory, "PNG: cannot start deflate");
  }
  deflater.ready = true;
  if (primer > 0) {
    const size_t take = std::min(primer, kWindow);
    if (deflateSetDictionary(&deflater.stream, buffer.get() + primer - take, static_cast<uInt>(take)) != Z_OK) {
      return Status::Error(ErrorCode::kInternal, "PNG: deflateSetDictionary failed");
    }
  }
  const bool last = index + 1 == plan.count;
  OutputBuffer& out = segment->deflated;
  out.Clear();
  if (!out.Reserve(deflateBound(&deflater.stream, static_cast<uLong>(filtered)) + 16)) {
    return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for deflated rows");
  }
  deflater.stream.next_in = const_cast<Bytef*>(data);
  size_t left = filtered;
  int flush_result = Z_OK;
  do {
    const uInt piece = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
    deflater.stream.next_in = const_cast<Bytef*>(data + (filtered - left));
    deflater.stream.avail_in = piece;
    left -= piece;
    const int flush = left > 0 ? Z_NO_FLUSH : last ? Z_FINISH : Z_SYNC_FLUSH;
    do {
      if (out.free_bytes() < 64 && !out.Reserve(size_t{1} << 16)) {
        return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for deflated rows");
      }
      deflater.stream.next_out = out.free_space();
      const size_t room = std::min<size_t>(out.free_bytes(), 1u << 30);
      deflater.stream.avail_out = static_cast<uInt>(room);
      flush_result = deflate(&deflater.stream, flush);
      out.Commit(room - deflater.stream.avail_out);
      if (flush_result == Z_STREAM_ERROR) return Status::Error(ErrorCode::kInternal, "PNG: deflate failed");
    } while (deflater.stream.avail_out == 0 || (flush == Z_FINISH && flush_result != Z_STREAM_END));
  } while (left > 0);

  unsigned long adler = adler32(0, nullptr, 0);
  for (size_t done = 0; done < filtered;) {
    const uInt piece = static_cast<uInt>(std::min<size_t>(filtered - done, 1u << 30));
    adler = adler32(adler, data + done, piece);
    done += piece;
  }
  segment->adler = adler;
#endif
  segment->filtered_bytes = filtered;
  segment->rows = rows;
  return Status::Ok();
}

Status AssemblePng(uint32_t width, uint32_t height, int level, const PngSegment* segments, uint32_t count,
                   OutputBuffer* out, [[maybe_unused]] ScratchAllocator scratch) noexcept {
  if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) {
    return Status::Error(ErrorCode::kInvalidArgument, "PNG: %ux%u cannot be encoded", width, height);
  }
  static const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  uint8_t ihdr[13];
  PutBig32(ihdr, width);
  PutBig32(ihdr + 4, height);
  ihdr[8] = 8;   // bit depth
  ihdr[9] = 0;   // gray
  ihdr[10] = 0;  // deflate
  ihdr[11] = 0;  // adaptive filtering
  ihdr[12] = 0;  // not interlaced
  const uint8_t* ihdr_parts[] = {ihdr};
  const size_t ihdr_sizes[] = {sizeof ihdr};
#if OFFLOOP_HAVE_LIBDEFLATE
  std::shared_ptr<void> stream_owner;
  const uint8_t* stream = nullptr;
  size_t stream_size = 0;
  Status deflated = DeflateWhole(segments, count, level, scratch, &stream_owner, &stream, &stream_size);
  if (!deflated.ok()) return deflated;
  if (!out->Reserve(8 + 25 + stream_size + 12 * (stream_size / kMaxIdat + 1) + 12) || !out->Append(kSignature, 8) ||
      !AppendChunk(out, "IHDR", ihdr_parts, ihdr_sizes, 1)) {
    return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for the encoded PNG");
  }
  for (size_t at = 0; at < stream_size; at += kMaxIdat) {
    const uint8_t* parts[] = {stream + at};
    const size_t sizes[] = {std::min(kMaxIdat, stream_size - at)};
    if (!AppendChunk(out, "IDAT", parts, sizes, 1)) {
      return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for the encoded PNG");
    }
  }
#else
  size_t total = 8 + 25 + 12;
  for (uint32_t i = 0; i < count; ++i) total += segments[i].deflated.size() + 12;
  if (!out->Reserve(total + 6) || !out->Append(kSignature, 8) || !AppendChunk(out, "IHDR", ihdr_parts, ihdr_sizes, 1)) {
    return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for the encoded PNG");
  }
  uint8_t header[2];
  ZlibHeader(level, header);
  unsigned long adler = adler32(0, nullptr, 0);
  for (uint32_t i = 0; i < count; ++i) {
    adler = adler32_combine(adler, segments[i].adler, static_cast<z_off_t>(segments[i].filtered_bytes));
  }
  uint8_t trailer[4];
  PutBig32(trailer, static_cast<uint32_t>(adler));
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* parts[3];
    size_t sizes[3];
    int n = 0;
    if (i == 0) parts[n] = header, sizes[n++] = 2;
    parts[n] = segments[i].deflated.data(), sizes[n++] = segments[i].deflated.size();
    if (i + 1 == count) parts[n] = trailer, sizes[n++] = 4;
    if (!AppendChunk(out, "IDAT", parts, sizes, n)) {
      return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for the encoded PNG");
    }
  }
#endif
  if (!AppendChunk(out, "IEND", nullptr, nullptr, 0)) {
    return Status::Error(ErrorCode::kOutOfMemory, "PNG: out of memory for the encoded PNG");
  }
  return Status::Ok();
}

}  // namespace offloop::codecs
