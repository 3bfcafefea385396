#include "linter/pickle/rewriter.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "linter/pickle/opcodes.h"

namespace ckptlint::pickle {
namespace {

void putLE(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

bool isPut(Op op) { return op == Op::kBinPut || op == Op::kLongBinPut || op == Op::kPut || op == Op::kMemoize; }
bool isGet(Op op) { return op == Op::kBinGet || op == Op::kLongBinGet || op == Op::kGet; }
bool isString(Op op) {
  switch (op) {
    case Op::kBinUnicode: case Op::kShortBinUnicode: case Op::kBinUnicode8: case Op::kUnicode:
    case Op::kShortBinString: case Op::kBinString: case Op::kString: return true;
    default: return false;
  }
}
// One opcode that pushes an immutable value from its argument alone: re-emitting it elsewhere
// gives an equal value.
bool isImmutableLeaf(Op op) {
  if (isString(op)) return true;
  switch (op) {
    case Op::kBinBytes: case Op::kShortBinBytes: case Op::kBinBytes8: case Op::kGlobal:
    case Op::kBinInt: case Op::kBinInt1: case Op::kBinInt2: case Op::kInt: case Op::kLong:
    case Op::kLong1: case Op::kLong4: case Op::kBinFloat: case Op::kFloat: case Op::kNone:
    case Op::kNewTrue: case Op::kNewFalse: case Op::kEmptyTuple: return true;
    default: return false;
  }
}

std::string explicitPut(uint64_t index) {
  std::string out;
  if (index < 256) {
    out.push_back(static_cast<char>(Op::kBinPut));
    putLE(out, index, 1);
  } else {
    out.push_back(static_cast<char>(Op::kLongBinPut));
    putLE(out, index, 4);
  }
  return out;
}

struct Span {
  uint64_t begin;
  uint64_t end;
  bool contains(uint64_t offset) const { return offset >= begin && offset < end; }
};

class Rewriter {
 public:
  Rewriter(std::string_view bytes, uint64_t start, const Pickle& pickle, const PickleTrace& trace)
      : bytes_(bytes), start_(start), pickle_(pickle), trace_(trace) {}

  Result<PickleRewrite> run(const std::vector<PairEdit>& edits, const std::vector<std::size_t>& trims) {
    if (trace_.op_offsets.empty()) return makeError("pickle rewrite: no trace of the pickle");
    for (const PickleTrace::MemoPut& put : trace_.puts) {
      if (!put_of_slot_.emplace(put.index, &put).second) duplicate_put_slots_.insert(put.index);
      memo_index_at_.emplace(put.op_offset, put.index);
    }
    for (const PickleTrace::MemoGet& get : trace_.gets) {
      gets_of_slot_[get.index].push_back(get.op_offset);
      get_index_at_.emplace(get.op_offset, get.index);
    }
    for (const PairEdit& edit : edits) {
      if (auto error = plan(edit)) return *error;
    }
    for (std::size_t trim : trims) {
      if (auto error = planTrim(trim)) return *error;
    }
    mergeDrops();
    if (auto error = checkDrops()) return *error;
    if (auto error = planRedefinitions()) return *error;
    return emit();
  }

 private:
  // ---- opcodes -------------------------------------------------------------------------
  std::size_t opIndex(uint64_t offset) const {
    auto found = std::lower_bound(trace_.op_offsets.begin(), trace_.op_offsets.end(), offset);
    return static_cast<std::size_t>(found - trace_.op_offsets.begin());
  }
  bool isOpStart(uint64_t offset) const {
    const std::size_t index = opIndex(offset);
    return index < trace_.op_offsets.size() && trace_.op_offsets[index] == offset;
  }
  uint64_t opEnd(uint64_t offset) const {
    const std::size_t index = opIndex(offset) + 1;
    return index < trace_.op_offsets.size() ? trace_.op_offsets[index] : pickle_.endOffset();
  }
  Op opAt(uint64_t offset) const { return static_cast<Op>(static_cast<uint8_t>(bytes_[offset])); }
  std::string_view opBytes(uint64_t offset) const { return bytes_.substr(offset, opEnd(offset) - offset); }
  // FRAME opcodes may sit between any two objects (Python's framer cuts between save() calls).
  uint64_t skipFrames(uint64_t offset) const {
    while (offset < pickle_.endOffset() && opAt(offset) == Op::kFrame) offset = opEnd(offset);
    return offset;
  }

  std::string newString(const std::string& text) const {
    std::string out;
    if (pickle_.protocol() >= 4 && text.size() < 256) {
      out.push_back(static_cast<char>(Op::kShortBinUnicode));
      putLE(out, text.size(), 1);
    } else {
      out.push_back(static_cast<char>(Op::kBinUnicode));
      putLE(out, text.size(), 4);
    }
    return out + text;
  }

  static std::string quoted(const Value* key) {
    if (key == nullptr || !key->isString()) return "a non-string key";
    return "key '" + key->text.substr(0, 200) + "'";
  }

  // ---- planning ------------------------------------------------------------------------
  std::optional<Error> plan(const PairEdit& edit) {
    if (edit.fill >= trace_.dict_fills.size() || edit.pair >= trace_.dict_fills[edit.fill].pairs.size()) {
      return makeError("pickle rewrite: edit names no dict entry");
    }
    const PickleTrace::DictFill& fill = trace_.dict_fills[edit.fill];
    const PickleTrace::Pair& pair = fill.pairs[edit.pair];
    const std::string what = quoted(pair.key);
    const uint64_t value_end = edit.pair + 1 < fill.pairs.size() ? fill.pairs[edit.pair + 1].key_start : fill.op_offset;
    if (!(pair.key_start < pair.value_start && pair.value_start < value_end) || !isOpStart(pair.key_start)) {
      return makeError(what + ": its opcodes are not laid out as a key followed by its value; not rewritten");
    }
    if (edit.kind == PairEdit::Kind::kDrop) {
      // A lone SETITEM goes with its pair; a SETITEMS or DICT stays, with one pair fewer.
      const bool lone = opAt(fill.op_offset) == Op::kSetItem;
      if (lone) own_setitems_.insert(fill.op_offset);  // it changes the dict, outside the pair: expected
      drops_.push_back({pair.key_start, lone ? opEnd(fill.op_offset) : value_end});
      return std::nullopt;
    }
    return planRename(edit, pair, what);
  }

  std::optional<Error> planRename(const PairEdit& edit, const PickleTrace::Pair& pair, const std::string& what) {
    const uint64_t key_op = pair.key_start;
    const uint64_t key_end = opEnd(key_op);
    const uint64_t after_key = skipFrames(key_end);
    const Op op = opAt(key_op);
    if (isGet(op)) {
      // The key is a string defined elsewhere and shared: give this position its own string.
      if (!edit.reencode_shared_key) {
        return makeError(what + " is the same string object as another one in the pickle (a memo reference, "
                                "e.g. a storage key or an attribute name); not rewritten");
      }
      if (after_key != pair.value_start) return makeError(what + ": unexpected opcodes after the key; not rewritten");
      replacements_[key_op] = {key_end, newString(edit.new_key)};
      replaced_gets_.insert(key_op);
      return std::nullopt;
    }
    if (!isString(op)) return makeError(what + " is not a plain string in the pickle; not rewritten");
    if (after_key == pair.value_start) {  // not memoized
      replacements_[key_op] = {key_end, newString(edit.new_key)};
      return std::nullopt;
    }
    if (!isPut(opAt(key_end)) || skipFrames(opEnd(key_end)) != pair.value_start) {
      return makeError(what + ": unexpected opcodes after the key; not rewritten");
    }
    const auto put = memo_index_at_.find(key_end);
    if (put == memo_index_at_.end()) return makeError("pickle rewrite: memo store not traced");
    const uint64_t slot = put->second;
    const auto gets = gets_of_slot_.find(slot);
    if (gets == gets_of_slot_.end() || gets->second.empty()) {
      replacements_[key_op] = {key_end, newString(edit.new_key)};  // memoized, never read back
      return std::nullopt;
    }
    if (!edit.reencode_shared_key) {
      return makeError(what + " is read back elsewhere in the pickle (memo slot " + std::to_string(slot) +
                       ", e.g. as a storage key or an attribute name); renaming it would change those too; not rewritten");
    }
    // The new key without the memo store; the old string and its store move to the first use.
    replacements_[key_op] = {opEnd(key_end), newString(edit.new_key)};
    moved_slots_.push_back(slot);
    return std::nullopt;
  }

  // The persistent id's tuple without its last element: `... NONE TUPLE [store] BINPERSID`
  // loses the NONE. The trace says which value each opcode made, so the layout is checked
  // against the id's value too (its last element must be None).
  std::optional<Error> planTrim(std::size_t load_index) {
    if (load_index >= trace_.persistent_loads.size()) return makeError("pickle rewrite: edit names no persistent id");
    const PickleTrace::PersistentLoad& load = trace_.persistent_loads[load_index];
    const std::string where = "the persistent id at offset " + std::to_string(load.op_offset);
    const Value* tuple = load.id != nullptr && !load.id->items.empty() ? load.id->items[0] : nullptr;
    if (tuple == nullptr || tuple->kind != ValueKind::kTuple || tuple->items.empty() ||
        tuple->items.back()->kind != ValueKind::kNone) {
      return makeError(where + " does not end in None (e.g. a legacy storage view); not rewritten");
    }
    std::size_t index = opIndex(load.op_offset);
    if (index < 2 || opAt(load.op_offset) != Op::kBinPersId) return makeError(where + " is not a BINPERSID; not rewritten");
    uint64_t op = trace_.op_offsets[--index];
    if (isPut(opAt(op))) {
      const auto slot = memo_index_at_.find(op);
      if (slot == memo_index_at_.end()) return makeError("pickle rewrite: memo store not traced");
      if (gets_of_slot_.count(slot->second) != 0) return makeError(where + ": its tuple is read back through the memo; not rewritten");
      if (index < 2) return makeError(where + ": unexpected opcodes before it; not rewritten");
      op = trace_.op_offsets[--index];
    }
    const uint64_t none = trace_.op_offsets[index - 1];
    if (opAt(op) != Op::kTuple || opAt(none) != Op::kNone) {
      return makeError(where + ": its last element is not a NONE opcode directly before TUPLE; not rewritten");
    }
    removed_ops_.insert(none);
    return std::nullopt;
  }

  void mergeDrops() {
    std::sort(drops_.begin(), drops_.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    std::vector<Span> merged;
    for (const Span& span : drops_) {
      if (!merged.empty() && span.begin <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, span.end);
      } else {
        merged.push_back(span);
      }
    }
    drops_ = std::move(merged);
  }

  const Span* dropAt(uint64_t offset) const {
    auto after = std::upper_bound(drops_.begin(), drops_.end(), offset,
                                  [](uint64_t value, const Span& span) { return value < span.begin; });
    if (after == drops_.begin()) return nullptr;
    const Span& span = *(after - 1);
    return span.contains(offset) ? &span : nullptr;
  }

  std::string dropName(const Span& span) const {
    const auto index = static_cast<std::size_t>(&span - drops_.data());
    return index < drop_keys_.size() ? drop_keys_[index] : "a dropped key";
  }

  std::optional<Error> checkDrops() {
    if (drops_.empty()) return std::nullopt;
    std::unordered_map<uint64_t, const Value*> key_at;
    for (const PickleTrace::DictFill& fill : trace_.dict_fills) {
      for (const PickleTrace::Pair& pair : fill.pairs) key_at.emplace(pair.key_start, pair.key);
    }
    for (const Span& span : drops_) {
      const auto key = key_at.find(span.begin);
      drop_keys_.push_back(key != key_at.end() ? quoted(key->second) : "a dropped key");
    }
    for (const auto& [key_op, replacement] : replacements_) {
      if (dropAt(key_op) != nullptr) return makeError("pickle rewrite: a key is both renamed and dropped");
    }
    for (const PickleTrace::Mutation& mutation : trace_.mutations) {
      const Span* span = dropAt(mutation.op_offset);
      if (span == nullptr || own_setitems_.count(mutation.op_offset) != 0) continue;
      // The object changed was made outside the pair, or reached from it through the memo.
      if (mutation.target_start < span->begin || !span->contains(mutation.target->offset)) {
        return makeError("dropping " + dropName(*span) + " would lose a change its value makes to an object outside it (offset " +
                         std::to_string(mutation.op_offset) + "); not rewritten");
      }
    }
    for (const PickleTrace::MemoPut& put : trace_.puts) {
      const Span* span = dropAt(put.op_offset);
      if (span != nullptr) dropped_slots_.push_back({put.index, span});
    }
    return std::nullopt;
  }

  // Memo slots whose definition leaves the stream (inside a dropped pair, or a shared key that
  // was re-encoded) but that are still read: define them again at their first remaining use.
  std::optional<Error> planRedefinitions() {
    std::vector<std::pair<uint64_t, const Span*>> slots = dropped_slots_;
    for (uint64_t slot : moved_slots_) slots.push_back({slot, nullptr});
    for (const auto& slot : slots) removed_slots_.insert(slot.first);
    for (const auto& [slot, span] : slots) {
      const auto gets = gets_of_slot_.find(slot);
      if (gets == gets_of_slot_.end()) continue;
      std::optional<uint64_t> first_use;
      for (uint64_t get : gets->second) {
        if (dropAt(get) == nullptr && replaced_gets_.count(get) == 0) {
          first_use = get;
          break;
        }
      }
      if (!first_use) continue;
      const PickleTrace::MemoPut& put = *put_of_slot_.at(slot);
      const std::string owner = span != nullptr ? "dropping " + dropName(*span) : "renaming a shared key";
      std::optional<std::string> definition = selfContainedDefinition(put);
      if (!definition || duplicate_put_slots_.count(slot) != 0) {
        return makeError(owner + " would remove an object that is also used outside it (memo slot " + std::to_string(slot) +
                         " at offset " + std::to_string(put.op_offset) + ", read at offset " + std::to_string(*first_use) +
                         ": e.g. a tensor shared with another key); not rewritten");
      }
      redefinitions_[*first_use] = std::move(*definition);
      memo_moved_ = true;
    }
    // A store that leaves or moves shifts the implicit index of every MEMOIZE after it.
    if (!dropped_slots_.empty() || !moved_slots_.empty()) memo_moved_ = true;
    return std::nullopt;
  }

  // The opcodes that made a memoized object and stored it, when they can be played again
  // elsewhere with the same result: immutable leaves (strings, globals, numbers), memo stores,
  // STACK_GLOBAL (protocol 4 globals are two memoized strings and a STACK_GLOBAL) and reads of
  // memo entries that stay defined before it; nothing else. MEMOIZE becomes an explicit store.
  std::optional<std::string> selfContainedDefinition(const PickleTrace::MemoPut& put) const {
    if (!isOpStart(put.item_start) || put.item_start >= put.op_offset) return std::nullopt;
    std::string definition;
    for (uint64_t offset = put.item_start; offset <= put.op_offset; offset = opEnd(offset)) {
      const Op op = opAt(offset);
      if (op == Op::kMemoize) {
        definition += explicitPut(memo_index_at_.at(offset));
      } else if (isGet(op)) {
        const auto index = get_index_at_.find(offset);
        if (index == get_index_at_.end() || removed_slots_.count(index->second) != 0) return std::nullopt;
        const auto source = put_of_slot_.find(index->second);
        if (source == put_of_slot_.end() || source->second->op_offset >= put.item_start) return std::nullopt;
        definition += opBytes(offset);
      } else if (isImmutableLeaf(op) || isPut(op) || op == Op::kStackGlobal || op == Op::kFrame) {
        if (op != Op::kFrame) definition += opBytes(offset);
      } else {
        return std::nullopt;
      }
    }
    return definition;
  }

  // ---- output --------------------------------------------------------------------------
  Result<PickleRewrite> emit() {
    PickleRewrite result;
    std::string& out = result.bytes;
    out.reserve(pickle_.endOffset() - start_ + 64);
    // MEMOIZE numbers implicitly (the memo's size): once stores move or vanish, spell them out.
    const bool explicit_memoize = memo_moved_;
    std::optional<std::size_t> frame_length_at;  // where the open FRAME's length goes in `out`
    const auto close_frame = [&] {
      if (!frame_length_at) return;
      std::string length;
      putLE(length, out.size() - (*frame_length_at + 8), 8);
      out.replace(*frame_length_at, 8, length);
      frame_length_at.reset();
    };

    const std::vector<uint64_t>& ops = trace_.op_offsets;
    for (std::size_t i = 0; i < ops.size();) {
      const uint64_t offset = ops[i];
      const Op op = opAt(offset);
      if (op == Op::kFrame) {  // kept even inside a dropped pair: frames only group opcodes
        close_frame();
        out.push_back(static_cast<char>(Op::kFrame));
        frame_length_at = out.size();
        out.append(8, '\0');
        ++i;
        continue;
      }
      if (dropAt(offset) != nullptr || removed_ops_.count(offset) != 0) {
        ++i;
        continue;
      }
      if (auto replacement = replacements_.find(offset); replacement != replacements_.end()) {
        out += replacement->second.text;
        while (i < ops.size() && ops[i] < replacement->second.end) ++i;
        continue;
      }
      if (auto definition = redefinitions_.find(offset); definition != redefinitions_.end()) {
        out += definition->second;
        ++i;
        continue;
      }
      if (explicit_memoize && op == Op::kMemoize) {
        out += explicitPut(memo_index_at_.at(offset));
      } else {
        out += opBytes(offset);
      }
      ++i;
    }
    close_frame();
    out.append(bytes_.substr(pickle_.endOffset()));  // whatever followed STOP

    for (const PickleTrace::PersistentLoad& load : trace_.persistent_loads) {
      (dropAt(load.op_offset) != nullptr ? result.dropped_persistent_ids : result.kept_persistent_ids).push_back(load.id);
    }
    return result;
  }

  struct Replacement {
    uint64_t end;  // first original byte after what it replaces
    std::string text;
  };

  std::string_view bytes_;
  uint64_t start_;
  const Pickle& pickle_;
  const PickleTrace& trace_;
  std::unordered_map<uint64_t, const PickleTrace::MemoPut*> put_of_slot_;
  std::unordered_set<uint64_t> duplicate_put_slots_;
  std::unordered_map<uint64_t, uint64_t> memo_index_at_;  // store opcode offset -> memo index
  std::unordered_map<uint64_t, uint64_t> get_index_at_;   // read opcode offset -> memo index
  std::unordered_set<uint64_t> removed_slots_;            // stores that leave their place
  std::unordered_map<uint64_t, std::vector<uint64_t>> gets_of_slot_;  // get offsets, in order
  std::map<uint64_t, Replacement> replacements_;                      // by key opcode offset
  std::unordered_set<uint64_t> replaced_gets_;
  std::unordered_set<uint64_t> removed_ops_;  // single opcodes left out (trimmed persistent ids)
  std::vector<uint64_t> moved_slots_;
  std::vector<Span> drops_;
  std::vector<std::string> drop_keys_;  // a name for each merged drop span
  std::unordered_set<uint64_t> own_setitems_;
  std::vector<std::pair<uint64_t, const Span*>> dropped_slots_;
  std::unordered_map<uint64_t, std::string> redefinitions_;  // get offset -> definition + store
  bool memo_moved_ = false;
};

}  // namespace

Result<PickleRewrite> rewritePickle(std::string_view bytes, uint64_t start, const Pickle& pickle,
                                    const PickleTrace& trace, const std::vector<PairEdit>& edits,
                                    const std::vector<std::size_t>& trim_persistent_ids) {
  if (pickle.endOffset() > bytes.size() || start >= pickle.endOffset()) return makeError("pickle rewrite: bad pickle bounds");
  Rewriter rewriter(bytes, start, pickle, trace);
  return rewriter.run(edits, trim_persistent_ids);
}

}  // namespace ckptlint::pickle
