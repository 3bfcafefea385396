#include "linter/model/from_checkpoint.h"

#include <array>

#include "linter/core/engine.h"
#include "linter/core/rule.h"
#include "linter/core/text.h"

namespace ckptlint::model {

Result<ModelSpec> specFromCheckpoint(const Checkpoint& checkpoint, const std::optional<ObjectPath>& state_dict) {
  const StateDictChoice choice = chooseStateDict(checkpoint, state_dict);
  if (choice.chosen == nullptr) {
    std::string message = "no state dict to take the model's keys from: " + choice.problem;
    if (!choice.other_candidates.empty()) {
      message += "; found:";
      for (const StateDict* other : choice.other_candidates) message += " " + displayPath(other->path);
    }
    return makeError(message);
  }
  if (!state_dict && choice.ambiguous) {
    std::string message = "several state dicts could be the model's: " + displayPath(choice.chosen->path);
    for (const StateDict* other : choice.other_candidates) message += ", " + displayPath(other->path);
    return makeError(message + "; choose one with --state-dict");
  }
  ModelSpec spec;
  spec.source = checkpoint.file;
  spec.source_kind = "checkpoint";
  for (std::size_t index : choice.chosen->tensors) {
    const TensorInfo& tensor = checkpoint.tensors[index];
    ModelEntry entry;
    entry.key = std::string(stateDictKey(tensor));
    entry.shape = tensor.shape;
    entry.dtype = tensor.dtype;
    entry.kind = tensor.is_parameter ? ModelEntry::Kind::kParameter : guessKindFromKey(entry.key);
    spec.entries.push_back(std::move(entry));
  }
  return spec;
}

}  // namespace ckptlint::model
