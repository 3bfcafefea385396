// DictKey: how the reader recognises equal dict keys, to give SETITEM(S) Python's semantics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

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
// its entry. Open addressing over (hash, position) pairs: a state dict's 100k keys cost one
// array instead of 100k hash nodes, and a probe reads a key only when the hashes agree.
class DictIndex {
 public:
  /// The position of the entry whose key `same_key_at(position)` accepts, if one has the same
  /// `hash`; otherwise records the key as at `position` and returns nullopt.
  template <class SameKeyAt>
  std::optional<std::size_t> findOrAdd(std::size_t hash, std::size_t position, SameKeyAt same_key_at) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t i = home(hash);; i = (i + 1) & (slots_.size() - 1)) {
      Slot& slot = slots_[i];
      if (slot.position == kEmpty) {
        slot = {hash, position};
        ++count_;
        return std::nullopt;
      }
      if (slot.hash == hash && same_key_at(slot.position)) return slot.position;
    }
  }

 private:
  struct Slot {
    std::size_t hash;
    std::size_t position;
  };
  static constexpr std::size_t kEmpty = static_cast<std::size_t>(-1);

  // Fibonacci hashing: spreads integer keys, whose hashes are the integers, over the table.
  std::size_t home(std::size_t hash) const { return (hash * 0x9E3779B97F4A7C15ull) >> shift_; }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(64, old.size() * 2), Slot{0, kEmpty});
    shift_ = 64;
    for (std::size_t size = slots_.size(); size > 1; size >>= 1) --shift_;
    for (const Slot& slot : old) {
      if (slot.position == kEmpty) continue;
      std::size_t i = home(slot.hash);
      while (slots_[i].position != kEmpty) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
  unsigned shift_ = 64;
};

}  // namespace ckptlint::pickle
