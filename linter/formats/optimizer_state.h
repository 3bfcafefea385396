// Reading an optimizer's state_dict() ({"state": ..., "param_groups": ...}) out of the value
// tree into plain data (OptimizerState), for rules that compare it with a model.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "linter/core/checkpoint.h"
#include "linter/formats/containers.h"

namespace ckptlint::formats {

/// Whether a mapping has the two members every torch.optim.Optimizer.state_dict() has.
bool isOptimizerState(const Entries& entries);

/// `tensor_index` gives the Checkpoint::tensors index of a value the walk recognised as a
/// tensor (nullopt for anything else).
OptimizerState readOptimizerState(const Entries& entries, const ObjectPath& path,
                                  const std::function<std::optional<std::size_t>(const pickle::Value*)>& tensor_index);

}  // namespace ckptlint::formats
