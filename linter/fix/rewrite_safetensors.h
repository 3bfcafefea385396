// The safetensors writer behind rewriteCheckpoint: the header rebuilt with the plan's renames
// and drops, every kept tensor's bytes copied unchanged.
#pragma once

#include "linter/fix/rewrite_checkpoint.h"

namespace ckptlint::fix {

Result<RewriteResult> rewriteSafetensors(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd);

}  // namespace ckptlint::fix
