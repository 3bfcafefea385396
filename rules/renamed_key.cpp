// CKL105: keys that pair with model keys only by a guess: a renamed submodule (same keys and
// shapes under another name) or a dotted suffix (detectron2's rule). The fix is unsafe.
#include "rules/all_rules.h"
#include "rules/explanation_finding.h"

namespace ckptlint::rules {

namespace {

void check(const CheckContext& context, FindingSink& sink) {
  for (const KeyExplanation& explanation : keyMatching(context).explanations) {
    if (explanation.cause == KeyExplanation::Cause::kRenamedModule) {
      reportExplanation(context, sink, explanation,
                        "the submodule '" + explanation.from_prefix + "' of the checkpoint looks renamed to '" +
                            explanation.to_prefix + "' in the model (same key names and shapes); renaming " +
                            resolutionText(explanation),
                        "rename '" + explanation.from_prefix + "' to '" + explanation.to_prefix + "'",
                        Applicability::kUnsafe);
    } else if (explanation.cause == KeyExplanation::Cause::kDottedSuffix) {
      reportExplanation(context, sink, explanation,
                        "checkpoint keys pair with model keys by their longest dotted suffix and equal shapes; "
                        "renaming " + resolutionText(explanation),
                        "rename by dotted suffix", Applicability::kUnsafe);
    }
  }
}

}  // namespace

Rule renamedKeyRule() {
  return defineRule("CKL105", "renamed-key", Level::kError,
                    "a key pairs with a model key by dotted suffix (or renamed submodule) and identical shape",
                    check, RuleNeeds::kModel);
}

}  // namespace ckptlint::rules
