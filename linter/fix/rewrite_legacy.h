// The legacy torch.save format's writer behind rewriteCheckpoint: it is not patched in place but
// converted to the zip format (torch-format.md §8.3 rule 9) -- the main pickle re-emitted with
// the plan's key edits and its 6-tuple storage ids cut to the zip format's 5-tuples, each
// storage's bytes (without their 8-byte count) streamed into `archive/data/<key>`.
#pragma once

#include "linter/fix/rewrite_checkpoint.h"

namespace ckptlint::fix {

/// The note rewriteLegacy adds, so that callers and tests can tell the format changed.
inline constexpr const char* kLegacyConvertedNote = "legacy file written in the zip format";

Result<RewriteResult> rewriteLegacy(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd,
                                    const RewriteOptions& options);

}  // namespace ckptlint::fix
