// CKL102: checkpoint keys no model key accounts for, after every root cause has taken the
// keys it explains. Grouped by top-level module; dropping them is offered as an unsafe fix.
#include "rules/all_rules.h"
#include "rules/key_matching.h"
#include "rules/key_summary.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

void check(const CheckContext& context, FindingSink& sink) {
  const KeyMatching& matching = keyMatching(context);
  std::vector<std::string> keys;
  for (std::size_t u : matching.unexpected) keys.push_back(checkpointKey(matching, u));
  for (auto& [module, group] : groupByTopModule(keys)) {
    Finding& finding = sink.add("the checkpoint has " + countText(group.size(), "key", "keys") + " " +
                                moduleWhere(module) + " that the model does not: " + summarizeKeys(group));
    Fix drop;
    drop.applicability = Applicability::kUnsafe;
    drop.description = "drop " + countText(group.size(), "key", "keys") + " (their weights are discarded)";
    for (const std::string& key : group) drop.edits.push_back({Edit::Op::kDropKey, key, ""});
    finding.fixes.push_back(std::move(drop));
    coverKeys(finding, std::move(group));
  }
}

}  // namespace

Rule unexpectedKeyRule() {
  return defineRule("CKL102", "unexpected-key", Level::kError,
                    "the checkpoint has a key the model lacks",
                    check, RuleNeeds::kModel);
}

}  // namespace ckptlint::rules
