// POSIX's side of platform.h (Linux, macOS, the BSDs); platform_win.cc is
// Windows'. Each compiles on its own platform only, so that one source list
// serves every build.
#ifndef _WIN32

#include "platform.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace offloop::files::platform {

namespace {

int OpenRetrying(const char* path, int flags, mode_t mode) {
  int fd;
  do fd = ::open(path, flags, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}

// The umask without changing it: umask(2) can only be read by setting it,
// which races with every thread creating files meanwhile. Linux (4.7+) shows
// it in /proc/self/status; elsewhere an empty file created with 0666 shows
// what the umask takes away (nothing is ever written to it).
bool ReadUmask(const std::string& probe, mode_t* mask) {
  if (FILE* status = std::fopen("/proc/self/status", "re")) {
    char line[256];
    bool found = false;
    unsigned value = 0;
    while (!found && std::fgets(line, sizeof line, status) != nullptr) {
      found = std::sscanf(line, "Umask: %o", &value) == 1;
    }
    std::fclose(status);
    if (found) {
      *mask = static_cast<mode_t>(value & 0777);
      return true;
    }
  }
  int fd = OpenRetrying(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  struct stat info;
  const bool ok = ::fstat(fd, &info) == 0;
  const int saved = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  errno = saved;
  if (ok) *mask = static_cast<mode_t>(~info.st_mode & 0666);
  return ok;
}

FileKind KindOf(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FileKind::kRegular;
    case S_IFDIR:
      return FileKind::kDirectory;
    case S_IFIFO:
      return FileKind::kFifo;
    case S_IFCHR:
      return FileKind::kCharacterDevice;
    case S_IFBLK:
      return FileKind::kBlockDevice;
    case S_IFSOCK:
      return FileKind::kSocket;
    default:
      return FileKind::kOther;
  }
}

// Asks the storage to keep what fd's file holds. macOS's fsync hands the data
// to the drive without making the drive write its cache out; F_FULLFSYNC
// does, and file systems that cannot (some network ones) refuse it, leaving
// fsync as the most they offer. Elsewhere fsync is the whole flush.
int FlushToStorage(int fd) {
#if defined(F_FULLFSYNC)
  if (::fcntl(fd, F_FULLFSYNC) == 0) return 0;
#endif
  return ::fsync(fd);
}

}  // namespace

int OpenForReading(const std::string& path) {
  return OpenRetrying(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
}

bool DescribePath(const std::string& path, FileKind* kind) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return false;
  *kind = KindOf(info.st_mode);
  return true;
}

bool Describe(int fd, FileKind* kind, uint64_t* size) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return false;
  *kind = KindOf(info.st_mode);
  *size = info.st_size > 0 ? static_cast<uint64_t>(info.st_size) : 0;
  return true;
}

int CreatePrivate(const std::string& path) {
  return OpenRetrying(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

long long ReadSome(int fd, uint8_t* data, size_t size) { return ::read(fd, data, size); }
long long WriteSome(int fd, const uint8_t* data, size_t size) { return ::write(fd, data, size); }
int Close(int fd) { return ::close(fd); }
int Remove(const std::string& path) { return ::unlink(path.c_str()); }
int RenameOver(const std::string& from, const std::string& to) { return ::rename(from.c_str(), to.c_str()); }

int MakeFolder(const std::string& path) { return ::mkdir(path.c_str(), 0777); }

bool FinalMode(const std::string& target, const std::string& probe, unsigned* mode) {
  struct stat info;
  // The file the rename replaces (through a symbolic link, the file it names:
  // the mode the user sees). Anything else, or nothing: a new file's mode.
  if (::stat(target.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
    *mode = info.st_mode & 0777;
    return true;
  }
  mode_t mask;
  if (!ReadUmask(probe, &mask)) return false;
  *mode = 0666 & ~mask;
  return true;
}

int SetMode(int fd, unsigned mode) {
  int rc;
  do rc = ::fchmod(fd, static_cast<mode_t>(mode));
  while (rc != 0 && errno == EINTR);
  return rc;
}

int SyncFile(int fd) {
  int rc;
  do rc = FlushToStorage(fd);
  while (rc != 0 && errno == EINTR);
  return rc;
}

int SyncFolder(const std::string& folder) {
  int fd = OpenRetrying(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return -1;
  int rc = SyncFile(fd);
  // Some file systems cannot fsync a folder; what they can do is done.
  if (rc != 0 && (errno == EINVAL || errno == ENOTSUP)) rc = 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return rc;
}

uint64_t NameEntropy() {
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         (static_cast<uint64_t>(::getpid()) << 40);
}

const char* FolderSeparators() { return "/"; }

}  // namespace offloop::files::platform

#endif  // !_WIN32
