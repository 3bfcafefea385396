// A reference checkpoint as a model definition: "the model expects what this file holds"
// (e.g. torch.save(model.state_dict()) of a freshly built model).
#pragma once

#include <optional>

#include "linter/core/checkpoint.h"
#include "linter/core/model_spec.h"
#include "linter/core/object_path.h"
#include "linter/core/result.h"

namespace ckptlint::model {

/// The chosen state dict's tensors in order, as expected entries (key, shape, dtype). A file
/// with no state dict, or with several equally likely ones and no `state_dict` given, is an
/// error (one line, without the path): a wrong guess would make every finding wrong.
///
/// Kind: a tensor saved as torch.nn.Parameter is a parameter. A plain state_dict() marks
/// nothing (it holds detached tensors), so the rest is guessed from the name: keys ending in
/// running_mean, running_var or num_batches_tracked (BatchNorm's buffers) are buffers, all
/// others parameters (guessKindFromKey, core/model_spec.h). CKL501 relies on it to line
/// optimizer state up with parameters.
Result<ModelSpec> specFromCheckpoint(const Checkpoint& checkpoint, const std::optional<ObjectPath>& state_dict);

}  // namespace ckptlint::model
