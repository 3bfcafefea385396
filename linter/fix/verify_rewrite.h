// Checking a rewritten checkpoint before it replaces anything: read back with ckptlint's own
// reader, it must hold exactly the planned keys with the original tensors, and the findings the
// plan fixed must be gone. `--apply` rolls back when either check fails.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/finding.h"
#include "linter/fix/edit_plan.h"

namespace ckptlint::fix {

/// Why `rewritten` is not `original` with `plan` applied, or nullopt. Compares the edited state
/// dict's keys (in order) with the plan, and every tensor -- of the state dict and elsewhere --
/// by path, dtype, shape, stride, offset, device, storage key and size, and its storage
/// record's size and CRC-32 (size only for a legacy original, which has no CRC). The format
/// must stay the same, except torch-legacy -> torch-zip (rewriteCheckpoint converts those).
std::optional<std::string> compareWithPlan(const Checkpoint& original, const Checkpoint& rewritten, const EditPlan& plan);

/// The first finding of `fixed` that `recheck` (the rules run again on the rewritten file)
/// still reports, as a sentence, or nullopt: a finding of the same rule about one of the same
/// keys, under its old or its new name. An unreadable rewritten file (CKL001) counts too.
std::optional<std::string> findingStillReported(const std::vector<Finding>& fixed, const EditPlan& plan,
                                                const std::vector<Finding>& recheck);

}  // namespace ckptlint::fix
