// TensorBytes over a loaded checkpoint's memory maps (--check-values): a tensor's storage is a
// slice of the mapped file (or of its shard); pages the caller is done with are released, so
// memory stays flat however large the file is.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "linter/core/tensor_bytes.h"
#include "linter/formats/load.h"

namespace ckptlint::formats {

class MappedTensorBytes : public TensorBytes {
 public:
  /// Told each change: bytes announced (expect) and bytes done. Several files' progress may
  /// add up in one display, so it gets differences, not totals.
  using Progress = std::function<void(uint64_t more_total, uint64_t more_done)>;

  explicit MappedTensorBytes(const LoadedCheckpoint& loaded, Progress progress = {});

  Result<std::string_view> storage(const TensorInfo& tensor) const override;
  void expect(uint64_t total_bytes) const override;
  void done(const TensorInfo& tensor, std::string_view bytes) const override;

 private:
  const io::MappedFile* fileOf(const TensorInfo& tensor) const;

  const LoadedCheckpoint& loaded_;
  Progress progress_;
  std::unordered_map<uint64_t, const ArchiveRecord*> records_by_offset_;  // the main file's records
};

}  // namespace ckptlint::formats
