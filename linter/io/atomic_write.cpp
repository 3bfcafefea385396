#include "linter/io/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "linter/io/write_all.h"

namespace ckptlint::io {
namespace {

std::optional<Error> systemError(const std::string& what) { return makeError(what + ": " + std::strerror(errno)); }

// Opens a new temporary file beside `path` (same folder, so rename stays in one file system).
// A short name of its own, so that a target name near the file system's limit still works.
int createTemporary(const std::string& path, std::string* temporary) {
  const std::size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  for (int attempt = 0; attempt < 100; ++attempt) {
    *temporary = folder + ".ckptlint-" + std::to_string(getpid()) + "-" + std::to_string(attempt) + ".tmp";
    const int fd = open(temporary->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

}  // namespace

std::optional<Error> writeFileAtomically(const std::string& path, std::string_view bytes, bool overwrite) {
  std::string temporary;
  const int fd = createTemporary(path, &temporary);
  if (fd < 0) return systemError("cannot create a temporary file beside it");
  std::optional<Error> error = writeAll(fd, bytes);
  if (!error && fsync(fd) != 0) error = systemError("cannot flush");
  if (close(fd) != 0 && !error) error = systemError("cannot close");
  bool renamed = false;
  if (!error && overwrite) {
    renamed = rename(temporary.c_str(), path.c_str()) == 0;
    if (!renamed) error = systemError("cannot rename the temporary file into place");
  } else if (!error && link(temporary.c_str(), path.c_str()) != 0) {
    error = errno == EEXIST ? makeError("already exists") : systemError("cannot link the temporary file into place");
  }
  if (!renamed) unlink(temporary.c_str());  // after a link, the temporary is a second name
  return error;
}

}  // namespace ckptlint::io
