// CKL101: model keys the checkpoint lacks, after every root cause (prefixes, renames) has
// taken the keys it explains. Grouped by top-level module.
#include "rules/all_rules.h"
#include "rules/key_matching.h"
#include "rules/key_summary.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

void check(const CheckContext& context, FindingSink& sink) {
  const KeyMatching& matching = keyMatching(context);
  std::vector<std::string> keys;
  for (std::size_t m : matching.missing) keys.push_back(context.model->entries[m].key);
  for (auto& [module, group] : groupByTopModule(keys)) {
    Finding& finding = sink.add("the model expects " + countText(group.size(), "key", "keys") + " " +
                                moduleWhere(module) + " that the checkpoint lacks: " + summarizeKeys(group));
    coverKeys(finding, std::move(group));
  }
}

}  // namespace

Rule missingKeyRule() {
  return defineRule("CKL101", "missing-key", Level::kError,
                    "the model expects a key the checkpoint lacks",
                    check, RuleNeeds::kModel);
}

}  // namespace ckptlint::rules
