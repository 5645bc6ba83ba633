#include "file_io.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include <fcntl.h>
#include <sys/stat.h>

#ifdef _WIN32
// Never compiled in this project's CI (Linux only); kept to the calls MSVC's
// CRT offers under the POSIX names, with UTF-8 paths widened for them.
#include <io.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "core/fault_injection.h"

namespace offloop::files {

namespace {

#ifdef _WIN32
std::wstring Widen(const std::string& path) {
  int count = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
  std::wstring wide(count > 0 ? count : 1, L'\0');
  if (count > 0) MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, &wide[0], count);
  return wide;
}
int OpenFile(const std::string& path, int flags, int mode) {
  return _wopen(Widen(path).c_str(), flags | _O_BINARY, mode);
}
long long ReadSome(int fd, uint8_t* data, size_t size) {
  return _read(fd, data, static_cast<unsigned>(size > 0x40000000 ? 0x40000000 : size));
}
long long WriteSome(int fd, const uint8_t* data, size_t size) {
  return _write(fd, data, static_cast<unsigned>(size > 0x40000000 ? 0x40000000 : size));
}
int CloseFile(int fd) { return _close(fd); }
int RemoveFile(const std::string& path) { return _wunlink(Widen(path).c_str()); }
int RenameOver(const std::string& from, const std::string& to) {
  if (MoveFileExW(Widen(from).c_str(), Widen(to).c_str(), MOVEFILE_REPLACE_EXISTING)) return 0;
  errno = EACCES;
  return -1;
}
int MakeFolder(const std::string& path) { return _wmkdir(Widen(path).c_str()); }
constexpr int kCloexec = 0;
#else
int OpenFile(const std::string& path, int flags, int mode) {
  int fd;
  do fd = ::open(path.c_str(), flags, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}
long long ReadSome(int fd, uint8_t* data, size_t size) { return ::read(fd, data, size); }
long long WriteSome(int fd, const uint8_t* data, size_t size) { return ::write(fd, data, size); }
int CloseFile(int fd) { return ::close(fd); }
int RemoveFile(const std::string& path) { return ::unlink(path.c_str()); }
int RenameOver(const std::string& from, const std::string& to) {
  return std::rename(from.c_str(), to.c_str());
}
int MakeFolder(const std::string& path) { return ::mkdir(path.c_str(), 0777); }
constexpr int kCloexec = O_CLOEXEC;
#endif

bool Fail(SystemError* error, int code, const char* syscall) {
  error->code = code;
  error->syscall = syscall;
  return false;
}

// Enough randomness that two writers of one target never pick the same
// temporary name, without std::random_device (which may throw or block).
uint64_t TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  uint64_t x = static_cast<uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (counter.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull);
#ifndef _WIN32
  x ^= static_cast<uint64_t>(::getpid()) << 40;
#endif
  // splitmix64's finaliser: neighbouring inputs give unrelated names.
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// `mkdir -p folder`: each missing folder of the path, the umask applied, as
// grayscaleFiles' and Node's recursive mkdir make them. Failures are left to
// the open that follows, which names the output.
void MakeFolders(const std::string& folder) {
  for (size_t end = folder.find('/', 1); end != std::string::npos; end = folder.find('/', end + 1)) {
    MakeFolder(folder.substr(0, end));
  }
}

}  // namespace

bool ReadWholeFile(const std::string& path, FileBytes* bytes, const std::atomic<bool>* cancel,
                   SystemError* error) {
  int fd = OpenFile(path, O_RDONLY | kCloexec, 0);
  if (fd < 0) return Fail(error, errno, "open");
  struct FdCloser {
    int fd;
    ~FdCloser() { CloseFile(fd); }
  } closer{fd};

  struct stat info;
  if (::fstat(fd, &info) != 0) return Fail(error, errno, "fstat");
  if ((info.st_mode & S_IFMT) == S_IFDIR) return Fail(error, EISDIR, "read");
  // The size is a hint (a file may grow or shrink while it is read, a pipe
  // has none): the buffer grows as needed and the bytes read are what count.
  size_t capacity = info.st_size > 0 ? static_cast<size_t>(info.st_size) + 1 : size_t{1} << 16;
  std::unique_ptr<uint8_t[]> data(new uint8_t[capacity]);
  size_t size = 0;
  for (;;) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return Fail(error, 0, nullptr);
    if (size == capacity) {
      size_t grown = capacity * 2;
      std::unique_ptr<uint8_t[]> bigger(new uint8_t[grown]);
      std::copy(data.get(), data.get() + size, bigger.get());
      data = std::move(bigger);
      capacity = grown;
    }
    if (fault::Trip(fault::Point::kFileReadIo)) return Fail(error, EIO, "read");
    // At most 8 MiB per call, so cancellation is seen between reads.
    size_t want = capacity - size < (size_t{8} << 20) ? capacity - size : size_t{8} << 20;
    long long got = ReadSome(fd, data.get() + size, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Fail(error, errno, "read");
    }
    if (got == 0) break;
    size += static_cast<size_t>(got);
  }
  bytes->data = std::move(data);
  bytes->size = size;
  return true;
}

AtomicFileWriter::~AtomicFileWriter() { Discard(); }

void AtomicFileWriter::Discard() noexcept {
  if (fd_ >= 0) CloseFile(fd_);
  fd_ = -1;
  if (!temp_.empty()) RemoveFile(temp_);
  temp_.clear();
}

bool AtomicFileWriter::Open(const std::string& path, SystemError* error) {
  Discard();
  target_ = path;
  const size_t slash = path.find_last_of(
#ifdef _WIN32
      "/\\"
#else
      "/"
#endif
  );
  const std::string folder = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  for (int attempt = 0; attempt < 16; ++attempt) {
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".%016llx", static_cast<unsigned long long>(TempSuffix()));
    std::string temp = folder + "." + name + suffix + ".offloop-tmp";
    int fd = OpenFile(temp, O_WRONLY | O_CREAT | O_EXCL | kCloexec, 0666);
    // The output's folder is missing: made here, on the pool thread, once the
    // image is ready to be written (a file that fails earlier makes none).
    if (fd < 0 && errno == ENOENT && !folder.empty() && attempt == 0) {
      MakeFolders(folder);
      fd = OpenFile(temp, O_WRONLY | O_CREAT | O_EXCL | kCloexec, 0666);
    }
    if (fd >= 0) {
      fd_ = fd;
      temp_ = std::move(temp);
      return true;
    }
    if (errno != EEXIST) return Fail(error, errno, "open");
  }
  return Fail(error, EEXIST, "open");
}

bool AtomicFileWriter::Write(const uint8_t* data, size_t size, SystemError* error) {
  while (size > 0) {
    if (fault::Trip(fault::Point::kFileWriteNoSpace)) return Fail(error, ENOSPC, "write");
    long long wrote = WriteSome(fd_, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return Fail(error, errno, "write");
    }
    data += wrote;
    size -= static_cast<size_t>(wrote);
  }
  return true;
}

bool AtomicFileWriter::Commit(SystemError* error) {
  int fd = fd_;
  fd_ = -1;
  if (CloseFile(fd) != 0) return Fail(error, errno, "close");
  if (RenameOver(temp_, target_) != 0) return Fail(error, errno, "rename");
  temp_.clear();  // it is the target now
  return true;
}

}  // namespace offloop::files
