// DictKey: how the reader recognises equal dict keys, to give SETITEM(S) Python's semantics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "linter/core/flat_index.h"
#include "linter/pickle/value.h"

namespace ckptlint::pickle {

// A hashable dict key, viewing the key value's text (values never change once made). Python's
// equality: True == 1, and str, bytes, int and None never equal one another.
struct DictKey {
  char tag;             // 's' str, 'b' bytes, 'i' int or bool, 'I' int beyond int64, 'n' None
  int64_t number;
  std::string_view text;

  static std::optional<DictKey> of(const Value& key) {
    switch (key.kind) {
      case ValueKind::kString: return DictKey{'s', 0, key.text};
      case ValueKind::kBytes: return DictKey{'b', 0, key.text};
      case ValueKind::kInt: return key.big_int ? DictKey{'I', 0, key.text} : DictKey{'i', key.integer, {}};
      case ValueKind::kBool: return DictKey{'i', key.boolean ? 1 : 0, {}};
      case ValueKind::kNone: return DictKey{'n', 0, {}};
      default: return std::nullopt;
    }
  }
  bool operator==(const DictKey& other) const {
    return tag == other.tag && number == other.number && text == other.text;
  }
  struct Hash {
    std::size_t operator()(const DictKey& key) const {
      return std::hash<std::string_view>()(key.text) ^ (std::hash<int64_t>()(key.number) * 31) ^ static_cast<std::size_t>(key.tag);
    }
  };
};

// Where each key of a large dict sits among its entries, so that assigning a key again finds
// its entry (see FlatIndex).
using DictIndex = FlatIndex;

}  // namespace ckptlint::pickle
