// Walks a checkpoint's object tree the way Python code walking the loaded object would
// (dict items in order, list/tuple elements), collecting every tensor with its path and every
// string -> tensor mapping as a candidate state dict.
#pragma once

#include <cstdint>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/pickle/value.h"

namespace ckptlint::formats {

struct WalkLimits {
  uint32_t max_depth = 512;
  /// Shared references let a small pickle describe a huge tree (a list holding the same list
  /// twice, 64 levels deep); count every value visited along every path.
  uint64_t max_visits = 50'000'000;
};

struct ObjectContents {
  std::vector<TensorInfo> tensors;
  std::vector<StateDict> state_dicts;  // root first, then conventional keys, then the rest
  std::vector<std::string> notes;
};

Result<ObjectContents> walkObjectTree(const pickle::Value& root, const WalkLimits& limits = {});

/// The keys under which training code conventionally stores the model's state dict.
bool isConventionalStateDictKey(const std::string& key);

}  // namespace ckptlint::formats
