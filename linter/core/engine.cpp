#include "linter/core/engine.h"

#include <algorithm>

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
  // Candidates arrive ordered: the root, then conventional keys, then the rest.
  const StateDict& first = checkpoint.state_dicts.front();
  choice.chosen = &first;
  for (const StateDict& candidate : checkpoint.state_dicts) {
    if (&candidate == &first) continue;
    choice.other_candidates.push_back(&candidate);
  }
  const bool rival = checkpoint.state_dicts.size() > 1 && !first.path.empty() &&
                     checkpoint.state_dicts[1].conventional == first.conventional;
  if (rival) {
    choice.problem = "several state dicts could be meant; checked " + displayPath(first.path) + ", also found";
    for (const StateDict* other : choice.other_candidates) choice.problem += " " + displayPath(other->path);
  }
  return choice;
}

std::vector<Finding> runRules(const std::vector<Rule>& rules, const CheckContext& context,
                              const EngineOptions& options) {
  std::vector<Finding> findings;
  for (const Rule& rule : rules) {
    if (!options.selection.selects(rule.info.id)) continue;
    if (rule.info.needs_model && context.model == nullptr) continue;
    if (rule.info.needs_values && !options.check_values) continue;
    if (rule.check == nullptr) continue;
    FindingSink sink(rule.info, context, findings);
    rule.check(context, sink);
  }
  return findings;
}

}  // namespace ckptlint
