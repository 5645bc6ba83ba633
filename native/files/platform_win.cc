// Windows' side of platform.h (the win32 prebuild, cross-built with
// mingw-w64): UTF-8 paths widened to UTF-16 for every call, the CRT's
// descriptors for I/O, MoveFileExW for the replacing rename. Compiled on
// Windows only; platform_posix.cc is the rest of the world's.
#ifdef _WIN32

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>

#include <chrono>

#include "platform.h"

namespace offloop::files::platform {

namespace {

// The CRT reads and writes at most INT_MAX bytes a call.
constexpr size_t kMaxTransfer = size_t{1} << 30;

// Empty, with errno EINVAL, for a path that is not valid UTF-8 (an invalid
// name must fail, not name some other file).
std::wstring Widen(const std::string& path) {
  if (path.empty()) return std::wstring();
  const int count =
      MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path.data(), static_cast<int>(path.size()), nullptr, 0);
  if (count <= 0) {
    errno = EINVAL;
    return std::wstring();
  }
  std::wstring wide(static_cast<size_t>(count), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path.data(), static_cast<int>(path.size()), &wide[0], count);
  return wide;
}

// errno for the Win32 error of a call that is not the CRT's.
int ErrnoOf(DWORD error) {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return EACCES;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return ENOSPC;
    case ERROR_NOT_SAME_DEVICE:
      return EXDEV;
    case ERROR_FILENAME_EXCED_RANGE:
      return ENAMETOOLONG;
    case ERROR_INVALID_NAME:
      return EINVAL;
    default:
      return EIO;
  }
}

FileKind KindOf(unsigned short mode) {
  switch (mode & _S_IFMT) {
    case _S_IFREG:
      return FileKind::kRegular;
    case _S_IFDIR:
      return FileKind::kDirectory;
    // NUL, CON, COM ports.
    case _S_IFCHR:
      return FileKind::kCharacterDevice;
    // Named and anonymous pipes.
    case _S_IFIFO:
      return FileKind::kFifo;
    default:
      return FileKind::kOther;
  }
}

bool StatPath(const std::string& path, struct _stat64* info) {
  const std::wstring wide = Widen(path);
  if (wide.empty()) return false;
  return _wstat64(wide.c_str(), info) == 0;
}

}  // namespace

int OpenForReading(const std::string& path) {
  const std::wstring wide = Widen(path);
  if (wide.empty()) return -1;
  const int fd = _wopen(wide.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT);
  // The CRT cannot open a folder (EACCES): name it as POSIX does.
  if (fd < 0 && errno == EACCES) {
    struct _stat64 info;
    if (_wstat64(wide.c_str(), &info) == 0 && (info.st_mode & _S_IFMT) == _S_IFDIR)
      errno = EISDIR;
    else
      errno = EACCES;
  }
  return fd;
}

bool Describe(int fd, FileKind* kind, uint64_t* size) {
  struct _stat64 info;
  if (_fstat64(fd, &info) != 0) return false;
  *kind = KindOf(info.st_mode);
  *size = info.st_size > 0 ? static_cast<uint64_t>(info.st_size) : 0;
  return true;
}

bool DescribePath(const std::string& path, FileKind* kind) {
  struct _stat64 info;
  if (!StatPath(path, &info)) return false;
  *kind = KindOf(info.st_mode);
  return true;
}

int CreatePrivate(const std::string& path) {
  const std::wstring wide = Widen(path);
  if (wide.empty()) return -1;
  // Windows has no group or other bits: the file's ACL is inherited from its
  // folder, as for every file a program creates there.
  return _wopen(wide.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
}

long long ReadSome(int fd, uint8_t* data, size_t size) {
  return _read(fd, data, static_cast<unsigned>(size > kMaxTransfer ? kMaxTransfer : size));
}

long long WriteSome(int fd, const uint8_t* data, size_t size) {
  return _write(fd, data, static_cast<unsigned>(size > kMaxTransfer ? kMaxTransfer : size));
}

int Close(int fd) { return _close(fd); }

int Remove(const std::string& path) {
  const std::wstring wide = Widen(path);
  if (wide.empty()) return -1;
  return _wunlink(wide.c_str());
}

int RenameOver(const std::string& from, const std::string& to) {
  const std::wstring wide_from = Widen(from);
  const std::wstring wide_to = Widen(to);
  if (wide_from.empty() || wide_to.empty()) return -1;
  // Replaces the target in one step (rename(2)'s guarantee on NTFS); a
  // read-only target is refused (EACCES), as Windows' own tools refuse it.
  if (MoveFileExW(wide_from.c_str(), wide_to.c_str(), MOVEFILE_REPLACE_EXISTING)) return 0;
  errno = ErrnoOf(GetLastError());
  return -1;
}

int MakeFolder(const std::string& path) {
  const std::wstring wide = Widen(path);
  if (wide.empty()) return -1;
  return _wmkdir(wide.c_str());
}

bool FinalMode(const std::string& target, const std::string& /*probe*/, unsigned* mode) {
  // The CRT's mode is 0666, or 0444 for a read-only file; there is no umask.
  struct _stat64 info;
  *mode = StatPath(target, &info) && (info.st_mode & _S_IFMT) == _S_IFREG ? (info.st_mode & 0666u) : 0666u;
  return true;
}

// The only permission Windows files carry is read-only, which the temporary
// file must not have while it is written and renamed: there is nothing to set.
int SetMode(int /*fd*/, unsigned /*mode*/) { return 0; }

// FlushFileBuffers under the CRT's name.
int SyncFile(int fd) { return _commit(fd); }

// NTFS journals the rename itself; a folder cannot be flushed through the
// CRT, and FlushFileBuffers on a folder handle needs write access to it.
int SyncFolder(const std::string& /*folder*/) { return 0; }

uint64_t NameEntropy() {
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         (static_cast<uint64_t>(GetCurrentProcessId()) << 40);
}

const char* FolderSeparators() { return "/\\"; }

}  // namespace offloop::files::platform

#endif  // _WIN32
