// The legacy torch.save format (the default before PyTorch 1.6; `_use_new_zipfile_serialization
// =False` since): five pickles back to back -- the magic number, the protocol version 1001,
// sys_info, the object, the list of storage keys -- then, for each key in that list's order, an
// 8-byte little-endian element count and the storage's bytes (torch-format.md §2.7, §4.2).
#pragma once

#include <string>
#include <string_view>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/pickle/reader.h"

namespace ckptlint::formats {

struct TorchLegacyContents {
  /// The object pickle (the fourth); its value offsets are offsets in the file.
  pickle::Pickle main_pickle;
  Checkpoint checkpoint;  // format "torch-legacy"
};

/// How the parts of a legacy file are named in records, read issues and global references.
inline constexpr std::string_view kLegacyMainPickle = "main pickle";

/// Reads a legacy file as torch.load does (torch 1.13 `_legacy_load`), without running it:
/// every pickle is scanned for globals, tensors get their storage bytes' place in the file.
/// `file` must stay mapped while the result is used.
Result<TorchLegacyContents> readTorchLegacy(std::string_view file, const std::string& path);

}  // namespace ckptlint::formats
