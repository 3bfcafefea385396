// Opening any checkpoint file: map it, recognise its kind, hand it to the right format reader.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/formats/torch_zip.h"
#include "linter/io/mapped_file.h"

namespace ckptlint::formats {

/// A checkpoint and what it was read from; the mapping outlives the views into it.
/// Every format reader fills `checkpoint`; the parts a writer needs to rewrite the file sit
/// beside it, set only for the formats that have them.
struct LoadedCheckpoint {
  std::unique_ptr<io::MappedFile> file;
  std::vector<std::unique_ptr<io::MappedFile>> shard_files;  // sharded: as Checkpoint::shards; null if unreadable
  Checkpoint checkpoint;
  std::optional<io::ZipArchive> zip;          // zip-based formats: the archive directory
  std::optional<pickle::Pickle> data_pickle;  // torch zip: the parsed data.pkl; legacy: the main pickle
};

struct LoadOptions {
  bool check_crc = false;  // --check-crc: verify the CRC-32 of tensor records too
};

/// Errors are one line, without the path (callers prefix it).
Result<LoadedCheckpoint> loadCheckpoint(const std::string& path, const LoadOptions& options = {});

/// As loadCheckpoint, but a JSON shard index is refused: the shards an index names.
Result<LoadedCheckpoint> loadSingleFileCheckpoint(const std::string& path, const LoadOptions& options = {});

}  // namespace ckptlint::formats
