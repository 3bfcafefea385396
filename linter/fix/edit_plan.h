// EditPlan: the key edits `--apply` makes to one state dict of one checkpoint, gathered from
// the fixes of the selected findings. Planning lives in edit_plan.cpp; writing the edited file
// is the format writers' job (rewrite_checkpoint.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "linter/core/finding.h"
#include "linter/core/object_path.h"

namespace ckptlint::fix {

struct EditPlan {
  ObjectPath state_dict;    // the state dict the edits apply to (e.g. ["model"]; [] = the root)
  std::vector<Edit> edits;  // rename-key / drop-key; every checkpoint key appears at most once
  bool empty() const { return edits.empty(); }
};

/// A fix the planner left out, and why (it conflicts with another fix, or names a key the
/// state dict does not have).
struct SkippedFix {
  std::size_t finding = 0;  // index into the findings given to planFixes
  std::string rule_id;
  std::string description;
  std::string reason;
};

struct PlannedFixes {
  EditPlan plan;
  std::vector<std::size_t> fixed;       // findings whose fix is in the plan, in order
  std::vector<SkippedFix> skipped;      // fixes left out, in finding order
  std::size_t unsafe_not_applied = 0;   // findings with only unsafe fixes, without --unsafe-fixes
};

/// Gathers one fix per finding of the state dict at `state_dict` (whose keys, in order, are
/// `keys`): the first safe fix, else (with `include_unsafe`) the first unsafe one. Fixes that
/// conflict -- a key edited two different ways, two keys renamed onto one name, a rename onto a
/// key that stays -- are all left out with a reason, never resolved by guessing; so is a fix
/// naming a key the state dict lacks. Identical edits from several fixes are made once.
PlannedFixes planFixes(const std::vector<Finding>& findings, const ObjectPath& state_dict,
                       const std::vector<std::string>& keys, bool include_unsafe);

/// The state dict's keys after the plan: renamed in place, dropped ones left out.
std::vector<std::string> keysAfter(const EditPlan& plan, const std::vector<std::string>& keys);

}  // namespace ckptlint::fix
