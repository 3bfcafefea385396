// CKL202: a paired key whose dtype differs from the model's. load_state_dict copies with
// Tensor.copy_, which casts without a word; one finding per (from, to) dtype pair.
#include <map>

#include "rules/all_rules.h"
#include "rules/key_matching.h"
#include "rules/key_summary.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

void check(const CheckContext& context, FindingSink& sink) {
  const KeyMatching& matching = keyMatching(context);
  std::map<std::pair<DType, DType>, std::vector<std::string>> keys_by_cast;
  for (const KeyPair& pair : matching.allPairs()) {
    const DType from = matching.checkpoint[pair.checkpoint]->dtype;
    const DType to = context.model->entries[pair.model].dtype;
    if (from != to) keys_by_cast[{from, to}].push_back(checkpointKey(matching, pair.checkpoint));
  }
  for (auto& [cast, keys] : keys_by_cast) {
    const std::string from(name(cast.first));
    const std::string to(name(cast.second));
    Finding& finding = sink.add(countText(keys.size(), "tensor is ", "tensors are ") + from +
                                " in the checkpoint but " + to + " in the model; load_state_dict casts them " +
                                "silently from " + from + " to " + to + ": " + summarizeKeys(keys));
    coverKeys(finding, std::move(keys));
  }
}

}  // namespace

Rule dtypeMismatchRule() {
  return defineRule("CKL202", "dtype-mismatch", Level::kWarning,
                    "same key, different dtype (PyTorch casts silently)",
                    check, RuleNeeds::kModel);
}

}  // namespace ckptlint::rules
