// Following an ObjectPath (as object_walk writes them) back to the value it names.
#pragma once

#include "linter/core/object_path.h"
#include "linter/pickle/value.h"

namespace ckptlint::formats {

/// The value at `path` under `root`: dict keys (str, int, bool compared as Python would),
/// list/tuple positions, and attributes of other objects (their BUILD state), the way
/// walkObjectTree names them. nullptr when the path leads nowhere.
const pickle::Value* valueAt(const pickle::Value& root, const ObjectPath& path);

}  // namespace ckptlint::formats
