// The libjpeg compressor as offloop sets it up, shared by the gray encoder
// (jpeg_encode.cc) and the luma copy (jpeg_luma_copy.cc): an error manager
// that longjmps (same discipline as jpeg_reader.h), a destination that grows
// an OutputBuffer with realloc, and the cancel poll of jpeg_reader.h's
// progress monitor.
#pragma once

#include <atomic>

#include "jpeg_reader.h"
#include "output_buffer.h"

namespace offloop::codecs {

struct JpegEncodeContext {
  jpeg_compress_struct cinfo;
  JpegError error;
  struct Destination {
    jpeg_destination_mgr pub;
    OutputBuffer* out;
  } destination;
  JpegProgress progress;
  bool created = false;
};

// Creates the compressor writing to `out` (which must outlive it); `cancel`
// may be null. False if libjpeg failed.
bool CallCreateWriter(JpegEncodeContext* c, OutputBuffer* out, const std::atomic<bool>* cancel);

// The failure libjpeg left in c after a Call* returned false.
Status JpegWriterFailure(const JpegEncodeContext& c);

void DestroyJpegWriter(JpegEncodeContext* c);

}  // namespace offloop::codecs
