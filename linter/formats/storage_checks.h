// Checks on a tensor's view of its storage that every format reader makes the same way.
#pragma once

#include <optional>
#include <string>

#include "linter/core/checkpoint.h"

namespace ckptlint::formats {

/// A kViewOutOfBounds issue when the tensor's shape/stride/offset reach past its storage, or
/// its strides are negative or overflow (views torch refuses to rebuild); `record` names where
/// the storage lies.
std::optional<ReadIssue> viewOutsideStorage(const TensorInfo& tensor, const std::string& record);

}  // namespace ckptlint::formats
