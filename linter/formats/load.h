// Opening any checkpoint file: map it, recognise its kind, hand it to the right format reader.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/formats/torch_zip.h"
#include "linter/io/mapped_file.h"

namespace ckptlint::formats {

/// A checkpoint and what it was read from; the mapping outlives the views into it.
struct LoadedCheckpoint {
  std::unique_ptr<io::MappedFile> file;
  std::optional<TorchZipContents> torch_zip;
  const Checkpoint& checkpoint() const { return torch_zip->checkpoint; }
  Checkpoint& checkpoint() { return torch_zip->checkpoint; }
};

struct LoadOptions {
  bool check_crc = false;  // --check-crc: verify the CRC-32 of tensor records too
};

/// Errors are one line, without the path (callers prefix it).
Result<LoadedCheckpoint> loadCheckpoint(const std::string& path, const LoadOptions& options = {});

}  // namespace ckptlint::formats
