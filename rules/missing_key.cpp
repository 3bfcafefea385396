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
    const std::string where = module.empty() ? "at the top level" : "under '" + module + "'";
    Finding& finding = sink.add("the model expects " + countText(group.size(), "key", "keys") + " " + where +
                                " that the checkpoint lacks: " + summarizeKeys(group));
    finding.key = group.front();
    finding.keys = std::move(group);
  }
}

}  // namespace

Rule missingKeyRule() {
  Rule rule;
  rule.info.id = "CKL101";
  rule.info.name = "missing-key";
  rule.info.default_level = Level::kError;
  rule.info.summary = "the model expects a key the checkpoint lacks";
  rule.info.needs_model = true;
  rule.check = check;
  return rule;
}

}  // namespace ckptlint::rules
