// CKL201: a checkpoint tensor pairs with a model key (exactly or through a root cause) but
// its shape differs, which load_state_dict reports as "size mismatch".
#include <algorithm>
#include <set>

#include "rules/all_rules.h"
#include "rules/key_matching.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

// Module.load_state_dict accepts a 1-d tensor for a 0-d parameter (it takes element 0).
bool torchAccepts(const std::vector<int64_t>& checkpoint, const std::vector<int64_t>& model) {
  return checkpoint == model || (model.empty() && checkpoint.size() == 1 && checkpoint[0] >= 1);
}

std::string moduleOf(const std::string& key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

std::string likelyCause(const std::vector<int64_t>& checkpoint, const std::vector<int64_t>& model,
                        bool in_output_layer) {
  if (checkpoint.size() != model.size()) {
    return "; the tensors have different ranks (" + std::to_string(checkpoint.size()) + " vs " +
           std::to_string(model.size()) + "), so the layer type differs";
  }
  std::vector<std::size_t> differing;
  for (std::size_t d = 0; d < model.size(); ++d) {
    if (checkpoint[d] != model[d]) differing.push_back(d);
  }
  if (differing.size() != 1) return "";
  const std::size_t d = differing.front();
  std::string text = "; only dimension " + std::to_string(d) + " differs (" + std::to_string(checkpoint[d]) +
                     " in the checkpoint, " + std::to_string(model[d]) + " in the model)";
  if (in_output_layer) {
    text += ": the model's output layer was built for a different number of outputs (keypoints or classes) "
            "than the one the checkpoint was trained with";
  }
  return text;
}

// The model's last modules, as long as every one of them has a size mismatch: a head (or
// several, like DeepLabCut's heatmap + locref) built for another number of outputs.
std::set<std::string> mismatchedOutputModules(const std::vector<ModelEntry>& entries,
                                              const std::set<std::string>& mismatched_modules) {
  std::set<std::string> outputs;
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    const std::string module = moduleOf(entry->key);
    if (mismatched_modules.count(module) == 0) break;
    outputs.insert(module);
  }
  return outputs;
}

void check(const CheckContext& context, FindingSink& sink) {
  const KeyMatching& matching = keyMatching(context);
  const auto& entries = context.model->entries;
  std::vector<KeyPair> pairs = matching.allPairs();
  std::sort(pairs.begin(), pairs.end(), [](const KeyPair& a, const KeyPair& b) { return a.model < b.model; });
  pairs.erase(std::remove_if(pairs.begin(), pairs.end(),
                             [&](const KeyPair& pair) {
                               return torchAccepts(matching.checkpoint[pair.checkpoint]->shape,
                                                   entries[pair.model].shape);
                             }),
              pairs.end());
  std::set<std::string> mismatched_modules;
  for (const KeyPair& pair : pairs) mismatched_modules.insert(moduleOf(entries[pair.model].key));
  const std::set<std::string> output_modules = mismatchedOutputModules(entries, mismatched_modules);
  for (const KeyPair& pair : pairs) {
    const std::vector<int64_t>& checkpoint_shape = matching.checkpoint[pair.checkpoint]->shape;
    const ModelEntry& entry = entries[pair.model];
    const std::string& key = checkpointKey(matching, pair.checkpoint);
    std::string message = "size mismatch for '" + entry.key + "'";
    if (key != entry.key) message += " (checkpoint key '" + key + "')";
    message += ": the checkpoint has " + shapeText(checkpoint_shape) + ", the model expects " + shapeText(entry.shape);
    message += likelyCause(checkpoint_shape, entry.shape, output_modules.count(moduleOf(entry.key)) != 0);
    Finding& finding = sink.add(std::move(message));
    coverKeys(finding, {key});
  }
}

}  // namespace

Rule shapeMismatchRule() {
  return defineRule("CKL201", "shape-mismatch", Level::kError,
                    "same key, different shape; says which dimension and a likely cause",
                    check, RuleNeeds::kModel);
}

}  // namespace ckptlint::rules
