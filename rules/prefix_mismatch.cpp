// CKL104: a consistent dotted prefix explains the difference: the checkpoint has one the
// model lacks (Lightning's `model.`), or the model expects one the checkpoint lacks.
#include "rules/all_rules.h"
#include "rules/explanation_finding.h"

namespace ckptlint::rules {

namespace {

void check(const CheckContext& context, FindingSink& sink) {
  for (const KeyExplanation& explanation : keyMatching(context).explanations) {
    if (explanation.cause == KeyExplanation::Cause::kStripPrefix) {
      reportExplanation(context, sink, explanation,
                        "checkpoint keys carry the prefix '" + explanation.from_prefix +
                            "' that the model's keys lack; stripping it " + resolutionText(explanation),
                        "strip '" + explanation.from_prefix + "'", Applicability::kSafe);
    } else if (explanation.cause == KeyExplanation::Cause::kAddPrefix) {
      reportExplanation(context, sink, explanation,
                        "the model's keys carry the prefix '" + explanation.to_prefix +
                            "' that the checkpoint keys lack; adding it " + resolutionText(explanation),
                        "add '" + explanation.to_prefix + "'", Applicability::kSafe);
    }
  }
}

}  // namespace

Rule prefixMismatchRule() {
  return defineRule("CKL104", "prefix-mismatch", Level::kError,
                    "a consistent prefix explains the difference (model., backbone., or one the model needs)",
                    check, RuleNeeds::kModel);
}

}  // namespace ckptlint::rules
