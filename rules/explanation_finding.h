// The finding of a root cause (CKL103/104/105): the checkpoint keys it covers and one fix
// renaming each of them to the model's key.
#pragma once

#include <string>

#include "linter/core/rule.h"
#include "rules/key_matching.h"

namespace ckptlint::rules {

/// "resolves 320 of 320 missing keys" (or, without a model, "renames 320 keys").
std::string resolutionText(const KeyExplanation& explanation);

void reportExplanation(const CheckContext& context, FindingSink& sink, const KeyExplanation& explanation,
                       std::string message, std::string fix_description, Applicability applicability);

}  // namespace ckptlint::rules
