// ModelSpec: what a model expects to load, whatever the model definition was read from
// (a JSON spec, a reference checkpoint, a TorchScript archive).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/dtype.h"

namespace ckptlint {

struct ModelEntry {
  enum class Kind { kParameter, kBuffer };
  std::string key;
  std::vector<int64_t> shape;
  DType dtype = DType::kFloat32;
  Kind kind = Kind::kParameter;
};

std::string_view kindName(ModelEntry::Kind kind);  // "parameter", "buffer"
std::optional<ModelEntry::Kind> kindFromName(std::string_view name);

/// A state dict does not say which tensors are buffers: the buffers of torch.nn's
/// BatchNorm/InstanceNorm layers (running_mean, running_var, num_batches_tracked), by far the
/// commonest, are recognised by name; any other key is taken for a parameter.
ModelEntry::Kind guessKindFromKey(std::string_view key);

struct ModelSpec {
  std::string source;       // the file it was read from
  std::string source_kind;  // "spec", "checkpoint", "torchscript"
  std::vector<ModelEntry> entries;
};

}  // namespace ckptlint
