// EditPlan: the key edits `--apply` makes to one state dict of one checkpoint, gathered from
// the fixes of the selected findings. Planning lives in edit_plan.cpp; writing the edited file
// is the format writers' job (rewrite_checkpoint.h).
#pragma once

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

}  // namespace ckptlint::fix
