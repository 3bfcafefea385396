#include "linter/core/engine.h"

#include <algorithm>

#include "linter/core/state_dict_roles.h"
#include "linter/core/text.h"

namespace ckptlint {

namespace {

// Length of the longest entry that is a prefix of the id; 0 when none is.
std::size_t longestMatch(const std::vector<std::string>& entries, std::string_view rule_id) {
  std::size_t longest = 0;
  for (const std::string& entry : entries) {
    if (!entry.empty() && startsWith(rule_id, entry)) longest = std::max(longest, entry.size());
  }
  return longest;
}

}  // namespace

bool RuleSelection::selects(std::string_view rule_id) const {
  const std::size_t selected = select.empty() ? 0 : longestMatch(select, rule_id);
  if (!select.empty() && selected == 0) return false;
  const std::size_t ignored = longestMatch(ignore, rule_id);
  return ignored == 0 || selected > ignored;
}

bool matchesAnyRule(std::string_view entry, const std::vector<Rule>& rules) {
  return !entry.empty() && std::any_of(rules.begin(), rules.end(),
                                       [&](const Rule& rule) { return startsWith(rule.info.id, entry); });
}

StateDictChoice chooseStateDict(const Checkpoint& checkpoint, const std::optional<ObjectPath>& wanted) {
  StateDictChoice choice;
  if (wanted) {
    for (const StateDict& candidate : checkpoint.state_dicts) {
      if (pathMatchesSpec(candidate.path, *wanted)) {
        choice.chosen = &candidate;
        return choice;
      }
    }
    for (const StateDict& candidate : checkpoint.state_dicts) choice.other_candidates.push_back(&candidate);
    choice.problem = "no state dict at " + displayPath(*wanted);
    return choice;
  }
  if (checkpoint.state_dicts.empty()) {
    choice.problem = "no mapping of string keys to tensors found";
    return choice;
  }
  // Candidates arrive ordered by role (state_dict_roles.h): the root, the model's weights,
  // alternates such as EMA copies, the rest.
  const StateDict& first = checkpoint.state_dicts.front();
  choice.chosen = &first;
  for (const StateDict& candidate : checkpoint.state_dicts) {
    if (&candidate == &first) continue;
    choice.other_candidates.push_back(&candidate);
  }
  if (first.path.empty() || choice.other_candidates.empty()) return choice;
  const StateDictRole role = stateDictRole(first.path);
  choice.ambiguous = stateDictRole(choice.other_candidates.front()->path) == role;
  if (choice.ambiguous) {
    choice.problem = "several state dicts could be meant; checked " + displayPath(first.path) + ", also found";
    for (const StateDict* other : choice.other_candidates) choice.problem += " " + displayPath(other->path);
  } else if (role == StateDictRole::kModel) {
    std::string alternates;
    for (const StateDict* other : choice.other_candidates) {
      if (stateDictRole(other->path) == StateDictRole::kAlternate) alternates += " " + displayPath(other->path);
    }
    if (!alternates.empty()) {
      choice.problem = "checked the model's weights at " + displayPath(first.path) +
                       "; passed over the alternate (EMA or second-model) weights at" + alternates;
    }
  }
  return choice;
}

bool ruleRuns(const RuleInfo& rule, const EngineOptions& options, bool have_model) {
  if (!options.selection.selects(rule.id)) return false;
  if (rule.needs_model && !have_model) return false;
  return !rule.needs_values || options.check_values;
}

std::vector<Finding> runRules(const std::vector<Rule>& rules, const CheckContext& context,
                              const EngineOptions& options) {
  std::vector<Finding> findings;
  for (const Rule& rule : rules) {
    if (!ruleRuns(rule.info, options, context.model != nullptr)) continue;
    if (rule.check == nullptr) continue;
    const std::size_t first = findings.size();
    FindingSink sink(rule.info, context, findings);
    rule.check(context, sink);
    if (auto level = options.level_overrides.find(rule.info.id); level != options.level_overrides.end()) {
      for (std::size_t i = first; i < findings.size(); ++i) findings[i].level = level->second;
    }
  }
  return findings;
}

}  // namespace ckptlint
