// Whole-file reads and atomic writes for file jobs, run on pool threads.
// No Node-API. Every failure is reported as the system call that failed and
// its errno (the JS layer turns them into Node-style errors with the path).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace offloop::files {

struct SystemError {
  int code = 0;                  // errno
  const char* syscall = nullptr; // "open", "read", "write", "rename"...
};

struct FileBytes {
  std::unique_ptr<uint8_t[]> data;
  size_t size = 0;
};

// Reads all of `path` (a regular file, or anything read() can drain). A
// std::bad_alloc escapes when the file does not fit in memory. Stops early,
// returning false with code 0, when `cancel` becomes true between reads.
bool ReadWholeFile(const std::string& path, FileBytes* bytes, const std::atomic<bool>* cancel,
                   SystemError* error);

// Writes a file so that `path` is, at every moment, either what it was
// before or the complete new contents: the bytes go to a temporary file in
// the same folder (".<name>.<random>.offloop-tmp"), which Commit renames
// over `path`. Destroying a writer that was not committed removes the
// temporary file, so failures and cancellations leave nothing behind.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  bool Open(const std::string& path, SystemError* error);
  bool Write(const uint8_t* data, size_t size, SystemError* error);
  // Closes the file (reporting a failed close: NFS reports write errors
  // there) and renames it over the target.
  bool Commit(SystemError* error);

 private:
  void Discard() noexcept;

  std::string target_;
  std::string temp_;
  int fd_ = -1;
};

}  // namespace offloop::files
