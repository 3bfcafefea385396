// Which files a directory walk lints: the one place that decides "is this a checkpoint".
// Names filter (only files with a checkpoint ending are opened), content decides (the first
// bytes, as detectFileKind reads them). Files named on the command line skip this: they are
// always read, and reported as unreadable when they are not checkpoints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ckptlint::formats {

/// File-name endings a walk opens: .pt .pth .ckpt .bin .tar (also .pth.tar) .safetensors, and
/// .index.json (a sharded checkpoint's index).
const std::vector<std::string_view>& checkpointFileEndings();

bool hasCheckpointFileEnding(std::string_view file_name);

/// Whether a file met during a walk is linted: its name has a checkpoint ending and its first
/// bytes are a checkpoint format we read or can name (torch zip, legacy torch.save, legacy tar,
/// preview zip, safetensors, a shard index), a plain pickle (torch.load refuses it: worth a
/// finding), or nothing at all (an empty file is a failed save). A file that cannot be opened
/// counts too, so that it is reported rather than silently skipped.
bool isCheckpointCandidate(const std::string& path);

/// The shard files a shard index names (its weight_map's values, relative to its folder, each
/// once), so that a walk lints them through the index rather than each alone (a shard alone
/// lacks most of the model's keys). Empty when `path` is not a readable shard index.
std::vector<std::string> shardFilesNamedBy(const std::string& path);

}  // namespace ckptlint::formats
