// TensorBytes: how rules that read values (--check-values) get at a tensor's storage bytes
// without knowing files, zip records or shards. The CLI sets one in CheckContext only when
// values are to be read; formats/ implements it over the mapped checkpoint.
#pragma once

#include <cstdint>
#include <string_view>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"

namespace ckptlint {

class TensorBytes {
 public:
  virtual ~TensorBytes() = default;

  /// The bytes of the tensor's whole storage record (storage_nbytes of them, in the file's
  /// byte order), or why they cannot be read: no record, a deflated record, a record shorter
  /// than the storage. The view stays valid as long as this object lives.
  virtual Result<std::string_view> storage(const TensorInfo& tensor) const = 0;

  /// Announces how many bytes the caller is about to read in all, so that a progress display
  /// can show a fraction. Optional.
  virtual void expect(uint64_t /*total_bytes*/) const {}

  /// The caller is done with `bytes` of the tensor's storage (a sub-view of storage()): the
  /// pages may be released (so memory does not grow with the file) and progress counted.
  virtual void done(const TensorInfo& /*tensor*/, std::string_view /*bytes*/) const {}
};

}  // namespace ckptlint
