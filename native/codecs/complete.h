// Whether a stored JPEG, PNG or WebP file is whole, from its first and last bytes
// only: what `skipExisting` asks of an output before it counts as done.
#pragma once

#include <cstddef>
#include <cstdint>

#include "detect.h"
#include "errors.h"

namespace offloop::codecs {

// The bytes a caller reads from the end of a file for InspectWholeFile.
constexpr size_t kWholeFileTailBytes = 12;

// `head` holds the file's first bytes (all of them, or enough for its
// header), `tail` its last min(file_size, kWholeFileTailBytes) bytes. Ok
// when the header parses (InspectHeader, filling `info`) and the file ends
// as its format ends: a JPEG with its EOI marker, a PNG with its IEND chunk,
// a WebP where its RIFF chunk's size says (its header read by libwebp).
// Every file offloop writes ends so, and a file cut short anywhere fails one
// or the other (EOI cannot occur inside a JPEG's entropy-coded data, nor
// IEND's CRC before a PNG's end), so a zero-length, truncated or partly
// written output is never taken for done. A kTruncated error with a head
// shorter than the file may mean the header goes on: read more and ask again.
Status InspectWholeFile(const uint8_t* head, size_t head_size, const uint8_t* tail, size_t tail_size,
                        uint64_t file_size, HeaderInfo* info);

}  // namespace offloop::codecs
