#include "linter/core/model_spec.h"

#include <array>
#include <string>

#include "linter/core/text.h"

namespace ckptlint {

std::string_view kindName(ModelEntry::Kind kind) {
  return kind == ModelEntry::Kind::kParameter ? "parameter" : "buffer";
}

std::optional<ModelEntry::Kind> kindFromName(std::string_view name) {
  if (name == "parameter") return ModelEntry::Kind::kParameter;
  if (name == "buffer") return ModelEntry::Kind::kBuffer;
  return std::nullopt;
}

ModelEntry::Kind guessKindFromKey(std::string_view key) {
  static constexpr std::array<std::string_view, 3> kBufferNames = {"running_mean", "running_var",
                                                                   "num_batches_tracked"};
  for (std::string_view buffer : kBufferNames) {
    if (key == buffer || endsWith(key, "." + std::string(buffer))) return ModelEntry::Kind::kBuffer;
  }
  return ModelEntry::Kind::kParameter;
}

}  // namespace ckptlint
