// The engine: chooses the state dict to check and runs the selected rules over one checkpoint.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/rule.h"

namespace ckptlint {

/// --select / --ignore: rule ids or id prefixes ("CKL1"). The more specific entry wins when
/// both match (--select CKL101 --ignore CKL1 keeps CKL101), as in ruff.
struct RuleSelection {
  std::vector<std::string> select;  // empty: every rule
  std::vector<std::string> ignore;
  bool selects(std::string_view rule_id) const;
};

/// Whether a --select/--ignore entry names at least one of the rules.
bool matchesAnyRule(std::string_view entry, const std::vector<Rule>& rules);

struct EngineOptions {
  RuleSelection selection;
  bool check_values = false;  // run rules that read tensor bytes
  /// Per-rule levels (config `[level]`, --level): every finding of the rule gets this level.
  std::map<std::string, Level, std::less<>> level_overrides;
};

/// The state dict to check: the one at `wanted` if given; else the root or the only
/// conventional candidate ("model", "state_dict", ...); else the first candidate of the
/// preferred kind, naming the others in `problem`.
StateDictChoice chooseStateDict(const Checkpoint& checkpoint, const std::optional<ObjectPath>& wanted);

/// Whether runRules runs this rule: selected, and given what it needs (a model, --check-values).
bool ruleRuns(const RuleInfo& rule, const EngineOptions& options, bool have_model);

/// Runs the selected rules in registry order and returns their findings in that order.
std::vector<Finding> runRules(const std::vector<Rule>& rules, const CheckContext& context,
                              const EngineOptions& options);

}  // namespace ckptlint
