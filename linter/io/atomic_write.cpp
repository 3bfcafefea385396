#include "linter/io/atomic_write.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "linter/io/write_all.h"

namespace ckptlint::io {
namespace {

Error systemError(const std::string& what) { return makeError(what + ": " + std::strerror(errno)); }

std::string folderOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// Files to remove if the process is interrupted (Ctrl-C) while they exist. A signal handler
// may only use async-signal-safe calls, so the paths sit in fixed slots as C strings.
constexpr int kCleanupSlots = 64;
std::atomic<char*> g_cleanup[kCleanupSlots];

extern "C" void removeFilesOnSignal(int signal_number) {
  for (std::atomic<char*>& slot : g_cleanup) {
    if (char* path = slot.load()) unlink(path);
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void installSignalCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction current {};
      if (sigaction(signal_number, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;  // keep SIG_IGN
      struct sigaction action {};
      action.sa_handler = removeFilesOnSignal;
      sigemptyset(&action.sa_mask);
      sigaction(signal_number, &action, nullptr);
    }
  });
}

// A path in a cleanup slot for as long as the object lives (none free: no cleanup, no error).
class CleanupOnSignal {
 public:
  explicit CleanupOnSignal(const std::string& path) {
    installSignalCleanup();
    char* copy = strdup(path.c_str());
    for (std::atomic<char*>& slot : g_cleanup) {
      char* expected = nullptr;
      if (copy != nullptr && slot.compare_exchange_strong(expected, copy)) {
        slot_ = &slot;
        return;
      }
    }
    std::free(copy);
  }
  ~CleanupOnSignal() {
    if (slot_ != nullptr) std::free(slot_->exchange(nullptr));
  }
  CleanupOnSignal(const CleanupOnSignal&) = delete;
  CleanupOnSignal& operator=(const CleanupOnSignal&) = delete;

 private:
  std::atomic<char*>* slot_ = nullptr;
};

// Holds back SIGINT, SIGTERM and SIGHUP for this thread while it lives.
class BlockSignals {
 public:
  BlockSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, signal_number);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~BlockSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  BlockSignals(const BlockSignals&) = delete;
  BlockSignals& operator=(const BlockSignals&) = delete;

 private:
  sigset_t previous_;
};

// Opens a new temporary file beside `path`. A short name of its own, so that a target name
// near the file system's limit still works.
int createTemporary(const std::string& path, mode_t mode, std::string* temporary) {
  const std::string folder = folderOf(path);
  for (int attempt = 0; attempt < 100; ++attempt) {
    *temporary = folder + ".ckptlint-" + std::to_string(getpid()) + "-" + std::to_string(attempt) + ".tmp";
    const int fd = open(temporary->c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

// Makes a rename or link in the folder durable. Best effort: some file systems cannot fsync a
// folder, and the file itself is already in place.
void flushFolder(const std::string& path) {
  const std::string folder = folderOf(path);
  const int fd = open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace

// Each live PendingFile holds its temporary (and, during commit, the backup) in a slot.
struct PendingFileCleanup {
  explicit PendingFileCleanup(const std::string& path) : temporary(path) {}
  CleanupOnSignal temporary;
};

PendingFile::PendingFile(std::string target, std::string temporary, int fd)
    : target_(std::move(target)), temporary_(std::move(temporary)), fd_(fd) {}

Result<std::unique_ptr<PendingFile>> PendingFile::create(const std::string& target, std::optional<mode_t> mode) {
  installSignalCleanup();
  std::string temporary;
  const int fd = createTemporary(target, 0666, &temporary);
  if (fd < 0) return systemError("cannot create a temporary file beside it");
  std::unique_ptr<PendingFile> file(new PendingFile(target, temporary, fd));
  file->cleanup_ = std::make_unique<PendingFileCleanup>(temporary);
  if (mode && fchmod(fd, *mode & 07777) != 0) return systemError("cannot set the permissions of the temporary file");
  return file;
}

PendingFile::~PendingFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temporary_.c_str());
}

std::optional<Error> PendingFile::finishWriting() {
  if (fd_ < 0) return std::nullopt;
  std::optional<Error> error;
  if (fsync(fd_) != 0) error = systemError("cannot flush");
  if (close(fd_) != 0 && !error) error = systemError("cannot close");
  fd_ = -1;
  return error;
}

std::optional<Error> PendingFile::commit(const CommitOptions& options) {
  if (std::optional<Error> error = finishWriting()) return error;
  if (!options.replace) {
    if (link(temporary_.c_str(), target_.c_str()) != 0) {
      return errno == EEXIST ? makeError("already exists") : systemError("cannot link the temporary file into place");
    }
    committed_ = true;
    unlink(temporary_.c_str());  // the target is now the only name
    flushFolder(target_);
    return std::nullopt;
  }
  // Between the backup link and the rename, an interruption would leave a stray backup:
  // signals wait until both are done (or undone).
  BlockSignals blocked;
  if (!options.backup.empty() && link(target_.c_str(), options.backup.c_str()) != 0) {
    return errno == EEXIST ? makeError("the backup " + options.backup + " already exists")
                           : systemError("cannot create the backup " + options.backup);
  }
  if (rename(temporary_.c_str(), target_.c_str()) != 0) {
    Error error = systemError("cannot rename the temporary file into place");
    if (!options.backup.empty()) unlink(options.backup.c_str());
    return error;
  }
  committed_ = true;
  flushFolder(target_);
  return std::nullopt;
}

std::optional<Error> writeFileAtomically(const std::string& path, std::string_view bytes, bool overwrite) {
  Result<std::unique_ptr<PendingFile>> file = PendingFile::create(path, std::nullopt);
  if (!file) return file.error();
  if (std::optional<Error> error = writeAll((*file)->fd(), bytes)) return error;
  PendingFile::CommitOptions options;
  options.replace = overwrite;
  return (*file)->commit(options);
}

}  // namespace ckptlint::io
