#include "linter/fix/edit_plan.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace ckptlint::fix {
namespace {

// One finding's chosen fix while planning.
struct Candidate {
  std::size_t finding = 0;
  const Fix* fix = nullptr;
  std::optional<std::string> conflict;  // set once the fix is found to conflict
};

std::string quoted(const std::string& key) { return "'" + key + "'"; }

std::string resultText(const Edit& edit) {
  return edit.op == Edit::Op::kDropKey ? "dropped" : "renamed to " + quoted(edit.to);
}

bool sameResult(const Edit& a, const Edit& b) { return a.op == b.op && (a.op == Edit::Op::kDropKey || a.to == b.to); }

const Fix* chooseFix(const Finding& finding, bool include_unsafe, bool* unsafe_only) {
  for (const Fix& fix : finding.fixes) {
    if (fix.applicability == Applicability::kSafe) return &fix;
  }
  for (const Fix& fix : finding.fixes) {
    if (fix.applicability == Applicability::kUnsafe) {
      if (include_unsafe) return &fix;
      *unsafe_only = true;
      return nullptr;
    }
  }
  return nullptr;
}

// Why a fix cannot apply to these keys at all, or nullopt.
std::optional<std::string> invalidFix(const Fix& fix, const std::unordered_set<std::string>& keys) {
  std::unordered_set<std::string> edited;
  for (const Edit& edit : fix.edits) {
    if (keys.count(edit.from) == 0) return "the state dict has no key " + quoted(edit.from);
    if (edit.op == Edit::Op::kRenameKey && edit.to.empty()) return "renames " + quoted(edit.from) + " to an empty key";
    if (!edited.insert(edit.from).second) return "edits " + quoted(edit.from) + " twice";
  }
  return std::nullopt;
}

// The edit each key gets from the fixes still in play, and which fixes make it.
struct EditsByKey {
  struct Entry {
    const Edit* edit = nullptr;
    std::vector<std::size_t> candidates;
  };
  std::unordered_map<std::string, Entry> entries;
};

void markConflict(std::vector<Candidate>& candidates, std::size_t index, const std::string& reason) {
  if (!candidates[index].conflict) candidates[index].conflict = reason;
}

// Marks fixes that edit one key two different ways; returns whether any was marked.
bool markDisagreements(std::vector<Candidate>& candidates, EditsByKey& by_key) {
  bool marked = false;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (candidates[c].conflict) continue;
    for (const Edit& edit : candidates[c].fix->edits) {
      EditsByKey::Entry& entry = by_key.entries[edit.from];
      if (entry.edit != nullptr && !sameResult(*entry.edit, edit)) {
        const std::string reason = quoted(edit.from) + " would be both " + resultText(*entry.edit) + " and " +
                                   resultText(edit) + " by different fixes";
        for (std::size_t other : entry.candidates) markConflict(candidates, other, reason);
        markConflict(candidates, c, reason);
        marked = true;
        continue;
      }
      if (entry.edit == nullptr) entry.edit = &edit;
      entry.candidates.push_back(c);
    }
  }
  return marked;
}

// Marks fixes whose renames make two keys share a name; returns whether any was marked.
bool markCollisions(std::vector<Candidate>& candidates, const EditsByKey& by_key, const std::vector<std::string>& keys) {
  std::unordered_map<std::string, std::vector<const std::string*>> sources_by_name;
  for (const std::string& key : keys) {
    auto found = by_key.entries.find(key);
    if (found == by_key.entries.end()) {
      sources_by_name[key].push_back(&key);
    } else if (found->second.edit->op == Edit::Op::kRenameKey) {
      sources_by_name[found->second.edit->to].push_back(&key);
    }
  }
  bool marked = false;
  for (const auto& [name, sources] : sources_by_name) {
    if (sources.size() < 2) continue;
    const std::string* staying = nullptr;
    for (const std::string* source : sources) {
      if (by_key.entries.count(*source) == 0) staying = source;
    }
    for (const std::string* source : sources) {
      auto found = by_key.entries.find(*source);
      if (found == by_key.entries.end()) continue;
      const std::string reason =
          staying != nullptr ? "renaming " + quoted(*source) + " onto " + quoted(name) + ", a key that stays, would duplicate it"
                             : std::to_string(sources.size()) + " keys would be renamed onto " + quoted(name);
      for (std::size_t c : found->second.candidates) markConflict(candidates, c, reason);
      marked = true;
    }
  }
  return marked;
}

}  // namespace

PlannedFixes planFixes(const std::vector<Finding>& findings, const ObjectPath& state_dict,
                       const std::vector<std::string>& keys, bool include_unsafe) {
  PlannedFixes planned;
  planned.plan.state_dict = state_dict;
  const std::unordered_set<std::string> key_set(keys.begin(), keys.end());

  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& finding = findings[i];
    if (!finding.state_dict || *finding.state_dict != state_dict) continue;
    bool unsafe_only = false;
    const Fix* fix = chooseFix(finding, include_unsafe, &unsafe_only);
    if (unsafe_only) ++planned.unsafe_not_applied;
    if (fix == nullptr || fix->edits.empty()) continue;
    if (auto reason = invalidFix(*fix, key_set)) {
      planned.skipped.push_back({i, finding.rule_id, fix->description, *reason});
      continue;
    }
    candidates.push_back({i, fix, std::nullopt});
  }

  // Leaving a fix out can expose a new conflict (its key now stays and another fix renames
  // onto it), so repeat until the fixes left agree.
  EditsByKey by_key;
  for (;;) {
    by_key = EditsByKey{};
    if (markDisagreements(candidates, by_key)) continue;
    if (!markCollisions(candidates, by_key, keys)) break;
  }
  // Candidates marked in an earlier round stay marked: markDisagreements skips them.

  std::unordered_set<std::string> planned_keys;
  for (const Candidate& candidate : candidates) {
    const Finding& finding = findings[candidate.finding];
    if (candidate.conflict) {
      planned.skipped.push_back({candidate.finding, finding.rule_id, candidate.fix->description, *candidate.conflict});
      continue;
    }
    planned.fixed.push_back(candidate.finding);
    for (const Edit& edit : candidate.fix->edits) {
      if (planned_keys.insert(edit.from).second) planned.plan.edits.push_back(edit);
    }
  }
  std::sort(planned.skipped.begin(), planned.skipped.end(),
            [](const SkippedFix& a, const SkippedFix& b) { return a.finding < b.finding; });
  return planned;
}

std::vector<std::string> keysAfter(const EditPlan& plan, const std::vector<std::string>& keys) {
  std::unordered_map<std::string_view, const Edit*> edits;
  for (const Edit& edit : plan.edits) edits.emplace(edit.from, &edit);
  std::vector<std::string> after;
  after.reserve(keys.size());
  for (const std::string& key : keys) {
    auto found = edits.find(key);
    if (found == edits.end()) {
      after.push_back(key);
    } else if (found->second->op == Edit::Op::kRenameKey) {
      after.push_back(found->second->to);
    }
  }
  return after;
}

}  // namespace ckptlint::fix
