// Recognising what kind of file a checkpoint is from its first bytes (torch-format.md §1).
#pragma once

#include <string_view>

namespace ckptlint::formats {

enum class FileKind {
  kEmpty,
  kZip,              // torch.save >= 1.6, TorchScript, torch.package: the records decide
  kLegacyPickle,     // torch.save with _use_new_zipfile_serialization=False (pre-1.6 default)
  kLegacyTar,        // the oldest torch.save format
  kPreviewZip,       // "PYTORCH1": a pre-1.0 preview format
  kSafetensors,
  kPlainPickle,      // a pickle without torch's magic number
  kGitLfsPointer,    // a Git LFS pointer: the checkpoint was never fetched (`git lfs pull`)
  kUnknown,
};

FileKind detectFileKind(std::string_view bytes);

/// A JSON document whose value is an object (a model spec, a shard index): its first
/// non-space byte, after an optional UTF-8 byte order mark, is '{'. Check detectFileKind first:
/// a safetensors header length can begin with the byte '{'.
bool startsLikeJsonObject(std::string_view bytes);

}  // namespace ckptlint::formats
