// Recognising tensors in a pickle's value tree: the torch._utils rebuild calls
// (_rebuild_tensor_v2/v3, parameters, quantized, meta, subclass wrappers) and the storage
// persistent ids they point at, turned into TensorInfo without touching tensor bytes.
#pragma once

#include <optional>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/pickle/value.h"

namespace ckptlint::formats {

/// nullopt when `value` is not a tensor; an error when it is a tensor call whose arguments
/// torch would reject; otherwise the tensor (path left empty for the caller to fill).
Result<std::optional<TensorInfo>> recognizeTensor(const pickle::Value& value);

}  // namespace ckptlint::formats
