// Sharded checkpoints: an index JSON (`model.safetensors.index.json`,
// `pytorch_model.bin.index.json`, as transformers and huggingface_hub write them) whose
// `weight_map` names, for every key, the shard file holding it. Read as one state dict across
// the shards; where the index and the shards disagree, read issues (CKL401/CKL403) say so.
#pragma once

#include <string>
#include <string_view>

#include "linter/core/result.h"
#include "linter/formats/load.h"

namespace ckptlint::formats {

/// A JSON object with a "weight_map" member. Cheap enough to ask of any JSON document.
bool isShardIndex(std::string_view bytes);

/// Reads the index in `index` (mapped from `path`) and every shard it names (relative to the
/// index's folder; a name that leaves it is an error). The state dict lists the keys sorted
/// bytewise, which is the index's own order as transformers writes it (sort_keys=True).
Result<LoadedCheckpoint> loadShardedCheckpoint(std::unique_ptr<io::MappedFile> index, const std::string& path,
                                               const LoadOptions& options);

}  // namespace ckptlint::formats
