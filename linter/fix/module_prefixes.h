// How nn.Module's `_metadata` entries (module prefix -> {"version": n}, torch-format.md §5.6)
// follow a state dict's key edits, so that load_state_dict still finds each module's version
// (BatchNorm's upgrade path depends on it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linter/fix/edit_plan.h"

namespace ckptlint::fix {

/// The new name of each prefix in `prefixes` (in order), or nullopt to drop that entry.
/// A prefix P becomes P' when every remaining key under P is renamed by replacing the leading
/// P with P' (stripping `module.` maps `module` to `` and `module.conv1` to `conv1`); a prefix
/// with no keys of its own (a ReLU) follows its nearest ancestor that has keys. An entry is
/// dropped when all its keys are dropped, when it keeps its name but no longer prefixes any
/// key, or when its new name collides with another entry's (DataParallel's own `''` after a
/// strip: the renamed entry wins over the one that kept its name; two renamed entries that
/// collide are both dropped). `keys` are the state dict's keys before the plan.
std::vector<std::optional<std::string>> mapModulePrefixes(const std::vector<std::string>& prefixes,
                                                          const std::vector<std::string>& keys,
                                                          const EditPlan& plan);

}  // namespace ckptlint::fix
