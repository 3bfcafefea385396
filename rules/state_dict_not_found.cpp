// CKL002: nothing to check (no string->tensor mapping), or the wanted one is not there, or
// several could be meant and the first was taken.
#include "rules/all_rules.h"

namespace ckptlint::rules {

namespace {

void check(const CheckContext& context, FindingSink& sink) {
  const StateDictChoice& choice = context.state_dict;
  if (choice.chosen != nullptr && choice.problem.empty()) return;
  std::string candidates;
  for (const StateDict* candidate : choice.other_candidates) {
    candidates += (candidates.empty() ? "" : ", ") + displayPath(candidate->path);
  }
  if (choice.chosen == nullptr) {
    std::string message = "no state dict to check: " + choice.problem;
    if (!candidates.empty()) message += "; candidates: " + candidates + " (choose one with --state-dict)";
    sink.addForFile(std::move(message));
    return;
  }
  Finding& finding = sink.addForFile(choice.problem + "; choose with --state-dict (e.g. --state-dict " +
                              displayPath(choice.other_candidates.front()->path) + ")");
  finding.level = Level::kNote;
}

}  // namespace

Rule stateDictNotFoundRule() {
  return defineRule("CKL002", "state-dict-not-found", Level::kError,
                    "no tensor mapping found, or several candidates and none chosen",
                    check);
}

}  // namespace ckptlint::rules
