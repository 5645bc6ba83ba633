// The libjpeg decompressor as offloop sets it up, shared by the pixel decoder
// (jpeg_decode.cc) and the luma copy (jpeg_luma_copy.cc): an error manager
// that longjmps, a suspending source over the whole input (running out of
// bytes reads as "truncated", as in Pillow), and a progress monitor that
// polls the cancel flag and enforces the scan limit.
//
// Discipline: everything libjpeg touches is in one JpegReader (plain data,
// trivially destructible) on the heap, owned outside the longjmp path. Every
// libjpeg call is made from a small Call* function that holds the setjmp and
// nothing with a destructor; the callbacks cannot throw.
#pragma once

#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <cstdio>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include "errors.h"

namespace offloop::codecs {

struct JpegError {
  jpeg_error_mgr pub;  // first: libjpeg hands us a jpeg_error_mgr*
  std::jmp_buf jump;
  ErrorCode code;
  char message[JMSG_LENGTH_MAX];
};

struct JpegProgress {
  jpeg_progress_mgr pub;
  int max_scans;
  const std::atomic<bool>* cancel;
};

struct JpegReader {
  jpeg_decompress_struct cinfo;
  JpegError error;
  jpeg_source_mgr source;
  JpegProgress progress;
  bool created = false;
};

// The Pillow-compatible error code for a libjpeg message code.
ErrorCode ClassifyJpegError(int msg_code);

// Creates the decompressor over data[0, size). False if libjpeg failed.
bool CallCreateReader(JpegReader* r, const uint8_t* data, size_t size, int max_scans, const std::atomic<bool>* cancel);

// jpeg_read_header, skipping tables-only datastreams. False if libjpeg failed.
bool CallReadHeader(JpegReader* r, int* result);

// The failure libjpeg (or a callback) left in r after a Call* returned false.
Status JpegReaderFailure(const JpegReader& r);

// The destructor's half: safe on a reader whose creation failed half-way.
void DestroyJpegReader(JpegReader* r);

}  // namespace offloop::codecs
