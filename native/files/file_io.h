// Reading input files and writing output files atomically, for file jobs
// run on pool threads. No Node-API. Every failure is reported as the system
// call that failed and its errno (the JS layer turns them into Node-style
// errors with the path), or, for an input, as what was wrong with it.
//
// The system calls sit in file_io_posix.cc (one small named function each,
// platform.h) so that another platform supplies its own file beside it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/native_memory.h"

namespace offloop::files {

struct SystemError {
  int code = 0;                   // errno
  const char* syscall = nullptr;  // "open", "read", "write", "rename"...
};

// A file's bytes. Large ones live in offloop's mapped pages (core's
// native_memory), which return to its page cache when the job drops them:
// a batch of photos then reads each file into pages the previous files
// already faulted in, where a fresh heap block of that size is a new
// mapping whose every page faults (about 20 us a 4 KiB page on a VM, most of
// the read of a 9 MB TIFF).
struct FileBytes {
  std::unique_ptr<uint8_t[]> heap;
  std::shared_ptr<memory::Pages> pages;
  size_t size = 0;
  size_t capacity = 0;

  uint8_t* data() const { return pages != nullptr ? static_cast<uint8_t*>(pages->data) : heap.get(); }
};

// What a path names when it is not a regular file.
enum class FileKind { kRegular, kDirectory, kFifo, kCharacterDevice, kBlockDevice, kSocket, kOther };
// "directory", "FIFO", "character device", ... for messages.
const char* FileKindName(FileKind kind);

// An input file, opened without blocking (a FIFO with no writer, a tty or a
// device never stalls the open) and without becoming the controlling
// terminal, then checked with fstat before a byte is read.
class InputFile {
 public:
  InputFile() = default;
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // False with `error` set when the open or the fstat failed. Check kind()
  // before reading: only a regular file should be read.
  bool Open(const std::string& path, SystemError* error);
  FileKind kind() const { return kind_; }
  // The size fstat reported (a hint: the file may change while it is read).
  uint64_t size() const { return size_; }

  // Reads until `bytes` holds `until` bytes or the file ends, growing the
  // buffer as needed (a std::bad_alloc escapes when it cannot). Stops early,
  // returning false with code 0, when `cancel` becomes true between reads.
  // `*ended` tells whether the end of the file was reached.
  bool ReadUpTo(size_t until, FileBytes* bytes, bool* ended, const std::atomic<bool>* cancel, SystemError* error);

 private:
  int fd_ = -1;
  FileKind kind_ = FileKind::kOther;
  uint64_t size_ = 0;
};

// The temporary file of an output named `name` (no folder) is named
//   TemporaryStem(name) + "." + 16 lowercase hex digits + ".offloop-tmp"
// where the stem is "." + name when that fits in kNameMax bytes, and else
// "." + the longest prefix of name that keeps the whole name within
// kNameMax (cut at a UTF-8 character boundary) + "~" + 16 hex digits of the
// FNV-1a 64 hash of name's bytes. A temporary belongs to exactly one output
// name: lib/files/temporary.ts matches them with the same rule.
constexpr size_t kNameMax = 255;
std::string TemporaryStem(const std::string& name);

struct WriteOptions {
  // fsync the file before the rename and its folder after it.
  bool durable = false;
};

// Writes a file so that `path` is, at every moment, either what it was
// before or the complete new contents: the bytes go to a temporary file in
// the same folder, created readable by its owner only (0600), which Commit
// gives its final mode and renames over `path`. The final mode is the
// replaced file's permission bits, or 0666 less the umask for a new file (as
// cp does). Destroying a writer that was not committed removes the
// temporary file, so failures and cancellations leave nothing behind.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  bool Open(const std::string& path, SystemError* error);
  bool Write(const uint8_t* data, size_t size, SystemError* error);
  // Gives the file its mode, fsyncs it when durable, closes it (reporting a
  // failed close: NFS reports write errors there) and renames it over the
  // target; then, when durable, fsyncs the folder so the rename survives a
  // power loss. A failure of that last fsync leaves the new file in place
  // (it is complete) and still reports the failure.
  bool Commit(const WriteOptions& options, SystemError* error);
  // Whether the rename happened (the target is the new file).
  bool renamed() const { return renamed_; }

 private:
  void Discard() noexcept;

  std::string target_;
  std::string folder_;
  std::string temp_;
  int fd_ = -1;
  bool renamed_ = false;
};

}  // namespace offloop::files
