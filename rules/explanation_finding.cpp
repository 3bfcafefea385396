#include "rules/explanation_finding.h"

#include "rules/rule_helpers.h"

namespace ckptlint::rules {

std::string resolutionText(const KeyExplanation& explanation) {
  if (explanation.pairs.empty()) {
    return "renames " + countText(explanation.keys_without_model.size(), "key", "keys");
  }
  return "resolves " + std::to_string(explanation.pairs.size()) + " of " +
         countText(explanation.missing_before, "missing key", "missing keys");
}

void reportExplanation(const CheckContext& context, FindingSink& sink, const KeyExplanation& explanation,
                       std::string message, std::string fix_description, Applicability applicability) {
  const KeyMatching& matching = keyMatching(context);
  Finding& finding = sink.add(std::move(message));
  Fix fix;
  fix.description = std::move(fix_description);
  fix.applicability = applicability;
  fix.edits = renameEdits(matching, explanation, context.model);
  std::vector<std::string> keys;
  for (const Edit& edit : fix.edits) keys.push_back(edit.from);
  coverKeys(finding, std::move(keys));
  finding.fixes.push_back(std::move(fix));
}

}  // namespace ckptlint::rules
