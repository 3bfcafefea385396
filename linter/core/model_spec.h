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

struct ModelSpec {
  std::string source;       // the file it was read from
  std::string source_kind;  // "spec", "checkpoint", "torchscript"
  std::vector<ModelEntry> entries;
};

}  // namespace ckptlint
