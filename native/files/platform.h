// The operating system's file calls that file_io.cc needs, one small named
// function each, so that a port supplies one file (platform_posix.cc, platform_win.cc)
// and file_io.cc stays the same. Each returns -1 (or false) with errno set
// on failure, as POSIX calls do, and retries on EINTR where it may occur.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "file_io.h"

namespace offloop::files::platform {

// Opens for reading without blocking and without becoming the controlling
// terminal, closed on exec.
int OpenForReading(const std::string& path);
// What the open file is, and its size.
bool Describe(int fd, FileKind* kind, uint64_t* size);
// What `path` names, for a path that could not be opened: a socket cannot
// be opened as a file (ENXIO), and is still one of the things to name.
bool DescribePath(const std::string& path, FileKind* kind);
// Creates `path` (it must not exist) for writing, readable and writable by
// its owner only.
int CreatePrivate(const std::string& path);
long long ReadSome(int fd, uint8_t* data, size_t size);
long long WriteSome(int fd, const uint8_t* data, size_t size);
int Close(int fd);
int Remove(const std::string& path);
int RenameOver(const std::string& from, const std::string& to);
// One folder (its parent must exist), 0777 less the umask.
int MakeFolder(const std::string& path);
// The mode a file renamed over `target` should get: the permission bits of
// the file there now, or 0666 less the process's umask when there is none
// (where the umask cannot be read, it is learnt by creating and removing an
// empty file at `probe`, a fresh temporary name beside the target).
bool FinalMode(const std::string& target, const std::string& probe, unsigned* mode);
int SetMode(int fd, unsigned mode);
int SyncFile(int fd);
int SyncFolder(const std::string& folder);
// Changes between calls and between processes (for temporary names).
uint64_t NameEntropy();
// "/" here; also "\\" where that separates folders too.
const char* FolderSeparators();

}  // namespace offloop::files::platform
