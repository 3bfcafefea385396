// What `check` lints: the files named on the command line, and the checkpoints found by
// walking the directories named there.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ckptlint::cli {

struct CheckInput {
  std::string path;                    // as given, or the given directory joined with the found name
  std::optional<std::string> problem;  // why it cannot be checked (reported as CKL001), if known already
};

/// Each argument in the order given. A file is taken as it is (always read, whatever its
/// name). A directory is walked recursively and its checkpoints (formats::isCheckpointCandidate)
/// are listed in sorted order (by path elements, byte order); hidden entries (.git, ._x.pt) are
/// skipped, symbolic links to directories are not followed (no loops), links to files are.
/// A shard index found in the walk is linted with its shards; those shards are not listed alone.
/// A directory without checkpoints, or one that cannot be listed, becomes an input with a
/// problem: it is reported, never silently clean.
std::vector<CheckInput> expandCheckInputs(const std::vector<std::string>& arguments);

}  // namespace ckptlint::cli
