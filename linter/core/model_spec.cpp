#include "linter/core/model_spec.h"

namespace ckptlint {

std::string_view kindName(ModelEntry::Kind kind) {
  return kind == ModelEntry::Kind::kParameter ? "parameter" : "buffer";
}

std::optional<ModelEntry::Kind> kindFromName(std::string_view name) {
  if (name == "parameter") return ModelEntry::Kind::kParameter;
  if (name == "buffer") return ModelEntry::Kind::kBuffer;
  return std::nullopt;
}

}  // namespace ckptlint
