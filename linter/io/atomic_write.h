// Writing an output file so that it is never seen half-written: a temporary file in the same
// folder, renamed (or linked) into place once complete.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "linter/core/result.h"

namespace ckptlint::io {

struct PendingFileCleanup;

/// Writes `bytes` to `path` atomically. With `overwrite` false an existing `path` is an error,
/// decided atomically (the temporary is hard-linked to `path`, which fails if it exists).
/// The file gets the usual 0666 & ~umask permissions. Errors name the problem, not the path.
std::optional<Error> writeFileAtomically(const std::string& path, std::string_view bytes, bool overwrite);

/// A file being written that appears at its target only on commit(): the bytes go to a
/// temporary file beside the target (same folder, so the rename stays in one file system).
/// Until then the target is untouched; the destructor, and SIGINT/SIGTERM/SIGHUP, remove the
/// temporary (and a backup made by a failed commit).
class PendingFile {
 public:
  /// `mode`: permission bits for the new file (e.g. those of the file it replaces); without
  /// it, 0666 & ~umask.
  static Result<std::unique_ptr<PendingFile>> create(const std::string& target, std::optional<mode_t> mode);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  int fd() const { return fd_; }
  const std::string& temporaryPath() const { return temporary_; }
  const std::string& target() const { return target_; }

  /// fsync and close; the temporary can then be read back by path.
  std::optional<Error> finishWriting();

  struct CommitOptions {
    bool replace = false;  // rename over an existing target; otherwise an existing target is an error
    std::string backup;    // with replace: first give the current target this second name (hard
                           // link; an existing backup is an error, never overwritten)
  };
  /// Moves the finished file into place and flushes the folder. On error the target is as it
  /// was, and no backup is left behind.
  std::optional<Error> commit(const CommitOptions& options);

 private:
  PendingFile(std::string target, std::string temporary, int fd);
  std::string target_;
  std::string temporary_;
  int fd_ = -1;
  bool committed_ = false;
  std::unique_ptr<PendingFileCleanup> cleanup_;  // removes the temporary on a signal
};

}  // namespace ckptlint::io
