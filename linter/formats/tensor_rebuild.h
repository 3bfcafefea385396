// Recognising tensors in a pickle's value tree: the torch._utils rebuild calls
// (_rebuild_tensor_v2/v3, parameters, quantized, meta, subclass wrappers) and the storage
// persistent ids they point at, turned into TensorInfo without touching tensor bytes.
#pragma once

#include <optional>
#include <string>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/pickle/value.h"

namespace ckptlint::formats {

/// A storage persistent id: ('storage', storage_type, key, location, numel) in zip files, with
/// a sixth element, view_metadata, in legacy files (torch-format.md §4.1, §4.2).
struct StorageId {
  std::optional<DType> dtype;  // nullopt for UntypedStorage
  std::string key;
  std::string location;
  int64_t numel = 0;           // elements of dtype, or bytes when untyped
  /// Legacy view_metadata (view_key, offset, size): the tensor gets the slice of `key`'s
  /// storage that starts `offset` elements in and holds `numel` elements, named `key`.
  struct View {
    std::string key;
    int64_t offset = 0;
    int64_t numel = 0;
  };
  std::optional<View> view;
};

/// Reads the tuple a BINPERSID resolved (`pid`, the persistent id's only item). Errors say
/// what torch would trip over.
Result<StorageId> readStorageId(const pickle::Value& pid);

/// nullopt when `value` is not a tensor; an error when it is a tensor call whose arguments
/// torch would reject; otherwise the tensor (path left empty for the caller to fill).
Result<std::optional<TensorInfo>> recognizeTensor(const pickle::Value& value);

}  // namespace ckptlint::formats
