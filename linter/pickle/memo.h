// Memo: the pickle memo table (PUT/GET indexes to values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "linter/pickle/value.h"

namespace ckptlint::pickle {

// The pickle memo. Writers number entries 0, 1, 2, ... so a vector serves; an index far beyond
// the entries so far (hand-made or hostile) goes to a map instead of growing the vector.
class Memo {
 public:
  std::size_t size() const { return count_; }
  bool contains(uint64_t index) const { return get(index) != nullptr; }

  void put(uint64_t index, Value* value) {
    // The vector stays within a small multiple of the entries stored, whatever the indexes.
    constexpr uint64_t kSlack = 4096;
    if (index < dense_.size() || index < 2 * (count_ + 1) + kSlack) {
      if (index >= dense_.size()) dense_.resize(index + 1, nullptr);
      if (dense_[index] == nullptr) ++count_;
      dense_[index] = value;
      return;
    }
    if (sparse_.insert_or_assign(index, value).second) ++count_;
  }

  Value* get(uint64_t index) const {
    if (index < dense_.size()) return dense_[index];
    auto found = sparse_.find(index);
    return found == sparse_.end() ? nullptr : found->second;
  }

 private:
  std::vector<Value*> dense_;
  std::unordered_map<uint64_t, Value*> sparse_;
  std::size_t count_ = 0;
};

}  // namespace ckptlint::pickle
