// What a state dict found in a checkpoint is for, judged by the key it sits under: the model's
// weights ("model", "state_dict", Lightning's "state_dict", DeepLabCut's "model" and exported
// "pose"), an alternate copy (EMA weights: timm's "state_dict_ema", "model_ema", "ema";
// DeepLabCut's exported "detector", a second model), or anything else. `check` and `spec`
// take the first state dict in this order and name the alternates they passed over.
#pragma once

#include "linter/core/object_path.h"

namespace ckptlint {

enum class StateDictRole { kRoot, kModel, kAlternate, kOther };

StateDictRole stateDictRole(const ObjectPath& path);

/// "model", "alternate", ... for JSON and tests.
const char* roleName(StateDictRole role);

}  // namespace ckptlint
