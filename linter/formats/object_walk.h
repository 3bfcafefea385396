// Walks a checkpoint's object tree the way Python code walking the loaded object would
// (dict items in order, list/tuple elements, attributes of other objects), collecting every
// tensor with its path and every string -> tensor mapping as a candidate state dict.
#pragma once

#include <cstdint>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/pickle/value.h"

namespace ckptlint::formats {

struct WalkLimits {
  uint32_t max_depth = 512;  // recursion: containers, objects and their states
  /// Each container is walked once, so visits grow with the pickle; this is a backstop.
  uint64_t max_visits = 50'000'000;
  /// Every tensor carries its path: one memoized 1 MB key above a million tensors would
  /// otherwise become a terabyte of paths.
  uint64_t max_path_bytes = uint64_t{16} << 20;
  uint64_t max_tensor_path_bytes = uint64_t{256} << 20;
};

struct ObjectContents {
  std::vector<TensorInfo> tensors;
  std::vector<StateDict> state_dicts;  // root first, then conventional keys, then the rest
  std::vector<OptimizerState> optimizer_states;  // in walk order
  std::vector<ReadIssue> issues;  // shared objects and cycles
};

Result<ObjectContents> walkObjectTree(const pickle::Value& root, const WalkLimits& limits = {});

/// The keys under which training code conventionally stores the model's state dict.
bool isConventionalStateDictKey(const std::string& key);

}  // namespace ckptlint::formats
