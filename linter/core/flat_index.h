// FlatIndex: where each key of a large, append-only collection sits, by hash. Open addressing
// over (hash, position) pairs: 100k keys (a state dict, a checkpoint's zip records) cost one
// array instead of 100k hash nodes, and a probe reads a key only when the hashes agree. The
// caller keeps the keys and says, through `same_key_at(position)`, whether the key at a
// position is the one sought, so any notion of equality (Python's dict keys, zip names compared
// case-insensitively) fits.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ckptlint {

class FlatIndex {
 public:
  /// Room for `count` keys without growing (a reader that knows its size up front).
  void reserve(std::size_t count) {
    if (count * 2 > slots_.size()) rehash(tableSizeFor(count));
  }

  /// The position of the entry whose key `same_key_at(position)` accepts, if one has the same
  /// `hash`; otherwise records the key as at `position` and returns nullopt. The first position
  /// recorded for a key stays its position.
  template <class SameKeyAt>
  std::optional<std::size_t> findOrAdd(std::size_t hash, std::size_t position, SameKeyAt same_key_at) {
    if ((count_ + 1) * 2 > slots_.size()) rehash(std::max<std::size_t>(kMinSize, slots_.size() * 2));
    for (std::size_t i = home(hash);; i = next(i)) {
      Slot& slot = slots_[i];
      if (slot.position == kEmpty) {
        slot = {hash, position};
        ++count_;
        return std::nullopt;
      }
      if (slot.hash == hash && same_key_at(slot.position)) return slot.position;
    }
  }

  /// The position recorded for the key `same_key_at` accepts, among those with this `hash`.
  template <class SameKeyAt>
  std::optional<std::size_t> find(std::size_t hash, SameKeyAt same_key_at) const {
    if (count_ == 0) return std::nullopt;
    for (std::size_t i = home(hash);; i = next(i)) {
      const Slot& slot = slots_[i];
      if (slot.position == kEmpty) return std::nullopt;
      if (slot.hash == hash && same_key_at(slot.position)) return slot.position;
    }
  }

  std::size_t size() const { return count_; }

 private:
  struct Slot {
    std::size_t hash;
    std::size_t position;
  };
  static constexpr std::size_t kEmpty = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMinSize = 64;

  // At most half full, a power of two.
  static std::size_t tableSizeFor(std::size_t count) {
    std::size_t size = kMinSize;
    while (size < count * 2) size *= 2;
    return size;
  }

  // Fibonacci hashing: spreads integer keys, whose hashes are the integers, over the table.
  std::size_t home(std::size_t hash) const { return (hash * 0x9E3779B97F4A7C15ull) >> shift_; }
  std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void rehash(std::size_t size) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(size, Slot{0, kEmpty});
    shift_ = 64;
    for (std::size_t s = size; s > 1; s >>= 1) --shift_;
    for (const Slot& slot : old) {
      if (slot.position == kEmpty) continue;
      std::size_t i = home(slot.hash);
      while (slots_[i].position != kEmpty) i = next(i);
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
  unsigned shift_ = 64;
};

}  // namespace ckptlint
