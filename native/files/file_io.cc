#include "file_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "core/fault_injection.h"
#include "platform.h"

namespace offloop::files {

namespace {

bool Fail(SystemError* error, int code, const char* syscall) {
  error->code = code;
  error->syscall = syscall;
  return false;
}

// Enough randomness that two writers of one target never pick the same
// temporary name, without std::random_device (which may throw or block).
uint64_t TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  uint64_t x = platform::NameEntropy() ^ (counter.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull);
  // splitmix64's finaliser: neighbouring inputs give unrelated names.
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t Fnv1a64(const std::string& text) {
  uint64_t hash = 0xCBF29CE484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001B3ull;
  }
  return hash;
}

// "." + 16 hex digits + ".offloop-tmp"
constexpr size_t kTempSuffixBytes = 29;
// "~" + 16 hex digits
constexpr size_t kHashBytes = 17;

// `mkdir -p folder`: each missing folder of the path, the umask applied, as
// grayscaleFiles' and Node's recursive mkdir make them. Failures are left to
// the open that follows, which names the output.
void MakeFolders(const std::string& folder) {
  const char* separators = platform::FolderSeparators();
  for (size_t end = folder.find_first_of(separators, 1); end != std::string::npos;
       end = folder.find_first_of(separators, end + 1)) {
    platform::MakeFolder(folder.substr(0, end));
  }
}

std::string TemporaryName(const std::string& folder, const std::string& name) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%016llx.offloop-tmp", static_cast<unsigned long long>(TempSuffix()));
  return folder + TemporaryStem(name) + suffix;
}

}  // namespace

const char* FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kRegular:
      return "regular file";
    case FileKind::kDirectory:
      return "directory";
    case FileKind::kFifo:
      return "FIFO";
    case FileKind::kCharacterDevice:
      return "character device";
    case FileKind::kBlockDevice:
      return "block device";
    case FileKind::kSocket:
      return "socket";
    case FileKind::kOther:
      break;
  }
  return "special file";
}

std::string TemporaryStem(const std::string& name) {
  if (1 + name.size() + kTempSuffixBytes <= kNameMax) return "." + name;
  size_t keep = kNameMax - kTempSuffixBytes - kHashBytes - 1;
  // Never cut a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
  while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) keep--;
  char hash[kHashBytes + 1];
  std::snprintf(hash, sizeof hash, "~%016llx", static_cast<unsigned long long>(Fnv1a64(name)));
  return "." + name.substr(0, keep) + hash;
}

InputFile::~InputFile() {
  if (fd_ >= 0) platform::Close(fd_);
}

bool InputFile::Open(const std::string& path, SystemError* error) {
  fd_ = platform::OpenForReading(path);
  if (fd_ < 0) {
    const int code = errno;
    if (code == ENXIO && platform::DescribePath(path, &kind_) && kind_ == FileKind::kSocket) return true;
    return Fail(error, code, "open");
  }
  if (!platform::Describe(fd_, &kind_, &size_)) return Fail(error, errno, "fstat");
  return true;
}

bool InputFile::ReadUpTo(size_t until, FileBytes* bytes, bool* ended, const std::atomic<bool>* cancel,
                         SystemError* error) {
  *ended = false;
  while (bytes->size < until) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return Fail(error, 0, nullptr);
    if (bytes->size == bytes->capacity) {
      // The size fstat gave is a hint (the file may grow or shrink while it
      // is read): one byte more shows the end without another growth.
      size_t grown = std::max<size_t>(bytes->capacity * 2, size_t{1} << 16);
      if (size_ >= bytes->capacity && size_ + 1 > grown) grown = static_cast<size_t>(size_) + 1;
      grown = std::min(grown, until);
      FileBytes bigger;
      if (grown >= memory::kNativeOutputBytes) bigger.pages = memory::AllocatePages(grown);
      if (bigger.pages == nullptr) bigger.heap.reset(new uint8_t[grown]);  // small, or no pages here
      std::copy(bytes->data(), bytes->data() + bytes->size, bigger.data());
      bigger.size = bytes->size;
      bigger.capacity = grown;
      *bytes = std::move(bigger);
    }
    if (fault::Trip(fault::Point::kFileReadIo)) return Fail(error, EIO, "read");
    // At most 8 MiB per call, so cancellation is seen between reads.
    const size_t want = std::min(bytes->capacity - bytes->size, size_t{8} << 20);
    long long got = platform::ReadSome(fd_, bytes->data() + bytes->size, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Fail(error, errno, "read");
    }
    if (got == 0) {
      *ended = true;
      break;
    }
    bytes->size += static_cast<size_t>(got);
  }
  return true;
}

AtomicFileWriter::~AtomicFileWriter() { Discard(); }

void AtomicFileWriter::Discard() noexcept {
  if (fd_ >= 0) platform::Close(fd_);
  fd_ = -1;
  if (!temp_.empty()) platform::Remove(temp_);
  temp_.clear();
}

bool AtomicFileWriter::Open(const std::string& path, SystemError* error) {
  Discard();
  renamed_ = false;
  target_ = path;
  const size_t slash = path.find_last_of(platform::FolderSeparators());
  folder_ = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string temp = TemporaryName(folder_, name);
    int fd = platform::CreatePrivate(temp);
    // The output's folder is missing: made here, on the pool thread, once the
    // image is ready to be written (a file that fails earlier makes none).
    if (fd < 0 && errno == ENOENT && !folder_.empty() && attempt == 0) {
      MakeFolders(folder_);
      fd = platform::CreatePrivate(temp);
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
    long long wrote = platform::WriteSome(fd_, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return Fail(error, errno, "write");
    }
    data += wrote;
    size -= static_cast<size_t>(wrote);
  }
  return true;
}

bool AtomicFileWriter::Commit(const WriteOptions& options, SystemError* error) {
  const size_t slash = target_.find_last_of(platform::FolderSeparators());
  const std::string name = slash == std::string::npos ? target_ : target_.substr(slash + 1);
  unsigned mode = 0;
  if (!platform::FinalMode(target_, TemporaryName(folder_, name), &mode)) return Fail(error, errno, "stat");
  if (platform::SetMode(fd_, mode) != 0) return Fail(error, errno, "fchmod");
  if (options.durable && platform::SyncFile(fd_) != 0) return Fail(error, errno, "fsync");
  int fd = fd_;
  fd_ = -1;
  if (platform::Close(fd) != 0) return Fail(error, errno, "close");
  if (platform::RenameOver(temp_, target_) != 0) return Fail(error, errno, "rename");
  temp_.clear();  // it is the target now
  renamed_ = true;
  if (options.durable && platform::SyncFolder(folder_) != 0) return Fail(error, errno, "fsync");
  return true;
}

}  // namespace offloop::files
