// MappedFile: a read-only memory map of an input file. Nothing is read until touched, so
// looking at a zip's directory costs the same for a 1 MB and a 10 GB checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "linter/core/result.h"

namespace ckptlint::io {

class MappedFile {
 public:
  /// Maps `path`. Errors name the problem (missing, a directory, not readable), not the path:
  /// callers prefix the path themselves.
  static Result<MappedFile> open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {data_, size_}; }

  /// Copies `size` bytes at `offset` with pread, without touching the mapping. For small
  /// headers scattered through a large file: a touch through the mapping maps the whole
  /// page-cache folio around it (up to 2 MB on current kernels) into this process.
  bool readAt(uint64_t offset, std::size_t size, std::string* out) const;
  uint64_t size() const { return size_; }

  /// Hints that the mapping is now read front to back in long runs (readahead and fault-around
  /// on), undoing the random-access hint the structural read uses.
  void adviseSequential() const;
  /// Drops this process's pages covering [offset, offset + size); the bytes stay readable
  /// (touched again, they come back from the file). Keeps memory flat while streaming.
  void releasePages(uint64_t offset, uint64_t size) const;
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  void release();

  std::string path_;
  int fd_ = -1;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ckptlint::io
