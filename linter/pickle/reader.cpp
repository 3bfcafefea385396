#include "linter/pickle/reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "linter/core/utf8.h"
#include "linter/io/byte_cursor.h"
#include "linter/pickle/compat_names.h"
#include "linter/pickle/dict_key.h"
#include "linter/pickle/memo.h"
#include "linter/pickle/opcodes.h"
#include "linter/pickle/text_literals.h"

namespace ckptlint::pickle {

using io::ByteCursor;
using io::FormatError;

// The pickle machine. Each opcode handler mirrors CPython's Unpickler, except that globals
// become names and calls become Call nodes. Errors unwind as FormatError and are turned into
// a Result by readPickle.
class Machine {
 public:
  Machine(std::string_view bytes, uint64_t start, const ReaderLimits& limits, PickleTrace* trace)
      : cursor_(bytes, start), limits_(limits), trace_(trace) {
    arena_ = pickle_.arena_.get();
    none_ = arena_->make(ValueKind::kNone, 0);
    true_ = arena_->make(ValueKind::kBool, 0);
    true_->boolean = true;
    false_ = arena_->make(ValueKind::kBool, 0);
    empty_tuple_ = arena_->make(ValueKind::kTuple, 0);
  }

  Pickle run() {
    while (true) {
      op_offset_ = cursor_.position();
      const uint8_t byte = cursor_.u8();
      const OpInfo* info = opInfo(byte);
      if (info == nullptr) fail("unknown opcode 0x" + hex(byte));
      op_ = info;
      if (trace_ != nullptr) {
        trace_->op_offsets.push_back(op_offset_);
        consumed_start_ = op_offset_;
      }
      if (info->op == Op::kStop) {
        if (stack_.empty()) fail("STOP with an empty stack");
        pickle_.root_ = stack_.back();
        pickle_.end_ = cursor_.position();
        return std::move(pickle_);
      }
      step(info->op);
    }
  }

  [[noreturn]] void fail(const std::string& message) const { throw FormatError(located(message)); }

  /// "offset 42 (SETITEMS): message" for the opcode being run.
  std::string located(const std::string& message) const {
    std::string where = "offset " + std::to_string(op_offset_);
    if (op_ != nullptr) where += " (" + std::string(op_->name) + ")";
    return where + ": " + message;
  }

 private:
  static std::string hex(uint8_t byte) {
    const char digits[] = "0123456789abcdef";
    return {digits[byte >> 4], digits[byte & 15]};
  }

  // ---- node creation -------------------------------------------------------------------
  Value* make(ValueKind kind) {
    if (arena_->size() >= limits_.max_nodes) {
      fail("more than " + std::to_string(limits_.max_nodes) + " values: pickle too large (node limit)");
    }
    return arena_->make(kind, op_offset_);
  }

  Value* makeInt(int64_t value) {
    // Small ints are immutable and shared, as in CPython; it keeps shapes and strides cheap.
    if (value >= -5 && value <= 256) {
      Value*& cached = small_ints_[static_cast<std::size_t>(value + 5)];
      if (cached == nullptr) {
        cached = make(ValueKind::kInt);
        cached->integer = value;
      }
      return cached;
    }
    Value* node = make(ValueKind::kInt);
    node->integer = value;
    return node;
  }

  Value* makeIntFromLittleEndian(std::string_view bytes) {
    if (auto small = int64FromLittleEndian(bytes)) return makeInt(*small);
    Value* node = make(ValueKind::kInt);
    node->big_int = true;
    node->text = canonicalFromLittleEndian(bytes);
    return node;
  }

  // Python's rules for text integers: LONG always, INT when C's strtol gives up.
  Value* makeIntFromPythonLiteral(std::string_view text) {
    if (text.size() > limits_.max_int_bytes * 4) fail("integer literal too long");
    std::optional<std::string> canonical = pythonIntBase0(text);
    if (!canonical) fail("invalid integer literal '" + std::string(text.substr(0, 40)) + "'");
    int64_t value = 0;
    auto [end, ec] = std::from_chars(canonical->data(), canonical->data() + canonical->size(), value);
    if (ec == std::errc() && end == canonical->data() + canonical->size()) return makeInt(value);
    Value* node = make(ValueKind::kInt);
    node->big_int = true;
    node->text = std::move(*canonical);
    return node;
  }

  Value* makeString(ValueKind kind, std::string text) {
    Value* node = make(kind);
    node->text = std::move(text);
    return node;
  }

  Value* makeSequence(ValueKind kind, Value* const* items, std::size_t count) {
    if (kind == ValueKind::kTuple && count == 0) return empty_tuple_;
    Value* node = make(kind);
    node->items = arena_->list(items, count);
    return node;
  }
  Value* makeSequence(ValueKind kind, const std::vector<Value*>& items) {
    return makeSequence(kind, items.data(), items.size());
  }

  Value* makeGlobal(std::string module, std::string name, bool resolved) {
    if (resolved && pickle_.protocol_ < 3) mapPython2Name(&module, &name);
    pickle_.globals_.push_back(GlobalRef{module, name, op_offset_, resolved, std::string(op_->name)});
    Value* node = make(ValueKind::kGlobal);
    node->text = std::move(module);
    node->rare().name = std::move(name);
    node->resolved = resolved;
    return node;
  }

  Value* makeCall(CallKind kind, Value* callee, Value* args, Value* kwargs = nullptr) {
    Value* node = make(ValueKind::kCall);
    node->call_kind = kind;
    node->items = kwargs == nullptr ? arena_->list({callee, args}) : arena_->list({callee, args, kwargs});
    return node;
  }

  // ---- stack ---------------------------------------------------------------------------
  void push(Value* value) {
    if (stack_.size() >= limits_.max_stack_size) {
      fail("stack deeper than " + std::to_string(limits_.max_stack_size) + " values");
    }
    stack_.push_back(value);
    if (trace_ != nullptr) starts_.push_back(consumed_start_);
  }

  Value* pop() {
    if (stack_.size() <= currentMarkBase()) fail("stack underflow");
    Value* value = stack_.back();
    stack_.pop_back();
    if (trace_ != nullptr) {
      consumed_start_ = std::min(consumed_start_, starts_.back());
      starts_.pop_back();
    }
    return value;
  }

  Value* top() {
    if (stack_.size() <= currentMarkBase()) fail("stack underflow");
    return stack_.back();
  }

  std::size_t currentMarkBase() const { return marks_.empty() ? 0 : marks_.back(); }

  void pushMark() {
    if (marks_.size() >= limits_.max_mark_depth) {
      fail("MARKs nested deeper than " + std::to_string(limits_.max_mark_depth));
    }
    marks_.push_back(stack_.size());
    if (trace_ != nullptr) mark_offsets_.push_back(op_offset_);
  }

  std::vector<Value*> popToMark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const std::size_t base = marks_.back();
    marks_.pop_back();
    std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(base), stack_.end());
    stack_.resize(base);
    if (trace_ != nullptr) {
      popped_starts_.assign(starts_.begin() + static_cast<std::ptrdiff_t>(base), starts_.end());
      starts_.resize(base);
      consumed_start_ = std::min(consumed_start_, mark_offsets_.back());
      mark_offsets_.pop_back();
    }
    return items;
  }

  // ---- memo ----------------------------------------------------------------------------
  void memoPut(uint64_t index) {
    if (stack_.empty()) fail("memo store with an empty stack");
    if (!memo_.contains(index) && memo_.size() >= limits_.max_memo_entries) {
      fail("more than " + std::to_string(limits_.max_memo_entries) + " memo entries");
    }
    memo_.put(index, stack_.back());
    if (trace_ != nullptr) trace_->puts.push_back({index, op_offset_, starts_.back()});
  }

  void memoGet(uint64_t index) {
    Value* value = memo_.get(index);
    if (value == nullptr) fail("memo index " + std::to_string(index) + " was never stored");
    if (trace_ != nullptr) trace_->gets.push_back({index, op_offset_});
    push(value);
  }

  uint64_t decimalLine() {
    const std::string_view text = cursor_.line();
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) fail("invalid memo index '" + std::string(text) + "'");
    return value;
  }

  // ---- container mutation --------------------------------------------------------------
  // Assigning an existing key replaces its value in place, keeping the first position,
  // as Python's dict does; small dicts are scanned, large ones get a hash index.
  void setItem(Value* target, Value* key, Value* value) {
    if (target->kind != ValueKind::kDict && target->kind != ValueKind::kCall) {
      fail(std::string("cannot set an item on a ") + kindName(target->kind));
    }
    auto& entries = target->rare().entries;
    const std::optional<DictKey> dict_key = DictKey::of(*key);
    if (dict_key) {
      constexpr std::size_t kScanLimit = 16;
      if (entries.size() < kScanLimit) {
        for (auto& entry : entries) {
          if (sameScalarKey(*entry.first, *key)) {
            entry.second = value;
            return;
          }
        }
      } else {
        DictIndex& index = dictIndexOf(target);
        if (auto position = indexKey(index, entries, *dict_key, entries.size())) {
          entries[*position].second = value;
          return;
        }
      }
    }
    entries.emplace_back(key, value);
  }

  // The index of a dict that has grown past scanning, built from its entries on first use.
  // SETITEMS assigns many keys to one dict in a row, so the last index found is kept at hand.
  DictIndex& dictIndexOf(const Value* target) {
    if (target == last_indexed_dict_) return *last_dict_index_;
    auto [found, added] = dict_indexes_.try_emplace(target);
    if (added) {
      const auto& entries = target->entries();
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (auto existing = DictKey::of(*entries[i].first)) indexKey(found->second, entries, *existing, i);
      }
    }
    last_indexed_dict_ = target;
    last_dict_index_ = &found->second;  // stays valid: unordered_map never moves its values
    return found->second;
  }

  // Where an entry with `key` already sits, or nullopt after recording `key` at `position`.
  static std::optional<std::size_t> indexKey(DictIndex& index, const Entries& entries,
                                             const DictKey& key, std::size_t position) {
    return index.findOrAdd(DictKey::Hash()(key), position,
                           [&](std::size_t at) { return DictKey::of(*entries[at].first) == key; });
  }

  void appendItems(Value* target, const std::vector<Value*>& items) {
    if (target->kind == ValueKind::kList) {
      appendTo(target->items, items);
    } else if (target->kind == ValueKind::kCall) {
      appendTo(target->rare().appended, items);
    } else {
      fail(std::string("cannot append to a ") + kindName(target->kind));
    }
  }

  void appendTo(ValueList& list, const std::vector<Value*>& items) {
    if (list.size() + items.size() > UINT32_MAX) fail("more than 2^32 - 1 elements in one container");
    arena_->append(list, items.data(), items.size());
  }

  // ---- the opcodes ---------------------------------------------------------------------
  std::string_view readSized(uint64_t size) {
    if (size > limits_.max_string_size) {
      fail("string of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(limits_.max_string_size));
    }
    return cursor_.take(size);
  }

  std::string textString(std::string_view raw) {
    if (!isValidUtf8(raw)) fail("string is not valid UTF-8");
    return std::string(raw);
  }

  void step(Op op) {
    switch (op) {
      case Op::kProto: {
        const uint8_t protocol = cursor_.u8();
        if (protocol > 5) fail("unsupported pickle protocol " + std::to_string(protocol));
        pickle_.protocol_ = protocol;
        return;
      }
      case Op::kFrame: {
        const uint64_t size = cursor_.u64();
        if (size > cursor_.remaining()) fail("FRAME of " + std::to_string(size) + " bytes runs past the end");
        return;
      }
      case Op::kMark: return pushMark();
      case Op::kPop:
        if (stack_.size() > currentMarkBase()) {
          pop();
        } else {
          popToMark();  // CPython: POP on an empty frame discards the mark
        }
        return;
      case Op::kPopMark: popToMark(); return;
      case Op::kDup: push(top()); return;

      case Op::kNone: return push(none_);
      case Op::kNewTrue: return push(true_);
      case Op::kNewFalse: return push(false_);
      case Op::kBinInt: return push(makeInt(cursor_.i32()));
      case Op::kBinInt1: return push(makeInt(cursor_.u8()));
      case Op::kBinInt2: return push(makeInt(cursor_.u16()));
      case Op::kInt: {
        // CPython: strtol(line, 0) first (so "010" is octal 8), Python int() if that fails;
        // a two-character 0 or 1 ("00", "01") is how protocol 0 spells a bool.
        const std::string_view text = cursor_.line();
        if (text.empty()) fail("empty integer literal");  // CPython: "pickle data was truncated"
        if (std::optional<int64_t> value = cStrtolBase0(text)) {
          if (text.size() == 2 && (*value == 0 || *value == 1)) return push(*value == 1 ? true_ : false_);
          return push(makeInt(*value));
        }
        return push(makeIntFromPythonLiteral(text));
      }
      case Op::kLong: {
        std::string_view text = cursor_.line();
        if (!text.empty() && text.back() == 'L') text.remove_suffix(1);
        return push(makeIntFromPythonLiteral(text));
      }
      case Op::kLong1: return push(makeIntFromLittleEndian(readInt(cursor_.u8())));
      case Op::kLong4: {
        const int32_t size = cursor_.i32();
        if (size < 0) fail("LONG4 with a negative byte count");
        return push(makeIntFromLittleEndian(readInt(static_cast<uint64_t>(size))));
      }
      case Op::kBinFloat: {
        const std::string_view raw = cursor_.take(8);
        uint64_t bits = 0;
        for (char c : raw) bits = (bits << 8) | static_cast<uint8_t>(c);  // big-endian
        Value* node = make(ValueKind::kFloat);
        std::memcpy(&node->real, &bits, sizeof bits);
        return push(node);
      }
      case Op::kFloat: {
        const std::string text(cursor_.line());
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size()) fail("invalid float literal '" + text + "'");
        Value* node = make(ValueKind::kFloat);
        node->real = value;
        return push(node);
      }

      case Op::kBinUnicode: return push(makeString(ValueKind::kString, textString(readSized(cursor_.u32()))));
      case Op::kShortBinUnicode: return push(makeString(ValueKind::kString, textString(readSized(cursor_.u8()))));
      case Op::kBinUnicode8: return push(makeString(ValueKind::kString, textString(readSized(cursor_.u64()))));
      case Op::kUnicode: {
        auto decoded = decodeRawUnicodeEscape(cursor_.line());
        if (!decoded) fail("invalid raw-unicode-escape text");
        return push(makeString(ValueKind::kString, std::move(*decoded)));
      }
      // Python 2 byte strings: torch.load decodes them as text (encoding="utf-8" by default,
      // latin-1 fallback is what the encoding="latin1" option would give).
      case Op::kShortBinString: return push(makeString(ValueKind::kString, py2String(readSized(cursor_.u8()))));
      case Op::kBinString: {
        const int32_t size = cursor_.i32();
        if (size < 0) fail("BINSTRING with a negative length");
        return push(makeString(ValueKind::kString, py2String(readSized(static_cast<uint64_t>(size)))));
      }
      case Op::kString: {
        auto decoded = decodeQuotedString(cursor_.line());
        if (!decoded) fail("STRING argument is not a quoted string literal");
        return push(makeString(ValueKind::kString, py2String(*decoded)));
      }
      case Op::kShortBinBytes: return push(makeString(ValueKind::kBytes, std::string(readSized(cursor_.u8()))));
      case Op::kBinBytes: return push(makeString(ValueKind::kBytes, std::string(readSized(cursor_.u32()))));
      case Op::kBinBytes8:
      case Op::kByteArray8: return push(makeString(ValueKind::kBytes, std::string(readSized(cursor_.u64()))));
      case Op::kNextBuffer:
      case Op::kReadOnlyBuffer: fail("out-of-band buffers (pickle protocol 5) are not supported");

      case Op::kEmptyTuple: return push(empty_tuple_);
      case Op::kTuple: return push(makeSequence(ValueKind::kTuple, popToMark()));
      case Op::kTuple1:
      case Op::kTuple2:
      case Op::kTuple3: {
        const std::size_t count = static_cast<std::size_t>(op) - static_cast<std::size_t>(Op::kTuple1) + 1;
        Value* items[3];
        for (std::size_t i = count; i-- > 0;) items[i] = pop();
        return push(makeSequence(ValueKind::kTuple, items, count));
      }
      case Op::kEmptyList: return push(make(ValueKind::kList));
      case Op::kList: return push(makeSequence(ValueKind::kList, popToMark()));
      case Op::kAppend: {
        Value* item = pop();
        traceMutation();
        appendItems(top(), {item});
        return;
      }
      case Op::kAppends: {
        std::vector<Value*> items = popToMark();
        traceMutation();
        appendItems(top(), items);
        return;
      }
      case Op::kEmptyDict: return push(make(ValueKind::kDict));
      case Op::kDict: {
        std::vector<Value*> items = popToMark();
        if (items.size() % 2 != 0) fail("DICT with an odd number of items");
        Value* dict = make(ValueKind::kDict);
        tracePairs(dict, items);
        for (std::size_t i = 0; i < items.size(); i += 2) setItem(dict, items[i], items[i + 1]);
        return push(dict);
      }
      case Op::kSetItem: {
        if (trace_ != nullptr && stack_.size() >= 2) popped_starts_.assign(starts_.end() - 2, starts_.end());
        Value* value = pop();
        Value* key = pop();
        traceMutation();
        tracePairs(top(), {key, value});
        setItem(top(), key, value);
        return;
      }
      case Op::kSetItems: {
        std::vector<Value*> items = popToMark();
        if (items.size() % 2 != 0) fail("SETITEMS with an odd number of items");
        Value* target = top();
        traceMutation();
        tracePairs(target, items);
        for (std::size_t i = 0; i < items.size(); i += 2) setItem(target, items[i], items[i + 1]);
        return;
      }
      case Op::kEmptySet: return push(make(ValueKind::kSet));
      case Op::kAddItems: {
        std::vector<Value*> items = popToMark();
        Value* target = top();
        traceMutation();
        if (target->kind != ValueKind::kSet) fail(std::string("cannot add items to a ") + kindName(target->kind));
        appendTo(target->items, items);
        return;
      }
      case Op::kFrozenSet: return push(makeSequence(ValueKind::kFrozenSet, popToMark()));

      case Op::kBinPut: return memoPut(cursor_.u8());
      case Op::kLongBinPut: return memoPut(cursor_.u32());
      case Op::kPut: return memoPut(decimalLine());
      case Op::kMemoize: return memoPut(memo_.size());
      case Op::kBinGet: return memoGet(cursor_.u8());
      case Op::kLongBinGet: return memoGet(cursor_.u32());
      case Op::kGet: return memoGet(decimalLine());

      case Op::kGlobal: {
        std::string module(cursor_.line());
        std::string name(cursor_.line());
        return push(makeGlobal(std::move(module), std::move(name), true));
      }
      case Op::kStackGlobal: {
        Value* name = pop();
        Value* module = pop();
        // CPython refuses non-str operands; record them (unresolved) rather than stop, so
        // that security rules can name the attempt.
        const bool resolved = module->isString() && name->isString();
        return push(makeGlobal(resolved ? module->text : std::string("<") + kindName(module->kind) + ">",
                               resolved ? name->text : std::string("<") + kindName(name->kind) + ">", resolved));
      }
      case Op::kInst: {
        std::string module(cursor_.line());
        std::string name(cursor_.line());
        std::vector<Value*> args = popToMark();
        Value* callee = makeGlobal(std::move(module), std::move(name), true);
        return push(makeCall(CallKind::kInst, callee, makeSequence(ValueKind::kTuple, std::move(args))));
      }
      case Op::kObj: {
        std::vector<Value*> items = popToMark();
        if (items.empty()) fail("OBJ without a class");
        Value* callee = items.front();
        return push(makeCall(CallKind::kObj, callee, makeSequence(ValueKind::kTuple, items.data() + 1, items.size() - 1)));
      }
      case Op::kReduce: {
        Value* args = pop();
        Value* callee = pop();
        return push(makeCall(CallKind::kReduce, callee, args));
      }
      case Op::kNewObj: {
        Value* args = pop();
        Value* cls = pop();
        return push(makeCall(CallKind::kNewObj, cls, args));
      }
      case Op::kNewObjEx: {
        Value* kwargs = pop();
        Value* args = pop();
        Value* cls = pop();
        return push(makeCall(CallKind::kNewObjEx, cls, args, kwargs));
      }
      case Op::kBuild: {
        Value* state = pop();
        Value* target = top();
        traceMutation();
        if (target->kind != ValueKind::kCall) fail(std::string("BUILD on a ") + kindName(target->kind));
        target->rare().state = state;
        return;
      }
      case Op::kPersId: {
        Value* id = make(ValueKind::kPersistentId);
        id->items = arena_->list({makeString(ValueKind::kString, std::string(cursor_.line()))});
        if (trace_ != nullptr) trace_->persistent_loads.push_back({op_offset_, id});
        return push(id);
      }
      case Op::kBinPersId: {
        Value* pid = pop();
        Value* id = make(ValueKind::kPersistentId);
        id->items = arena_->list({pid});
        if (trace_ != nullptr) trace_->persistent_loads.push_back({op_offset_, id});
        return push(id);
      }
      case Op::kExt1:
      case Op::kExt2:
      case Op::kExt4: fail("extension-registry opcodes (copyreg) are not supported");
      case Op::kStop: return;  // handled by run()
    }
    fail("opcode not handled");
  }

  // ---- trace (only when asked for) ----------------------------------------------------
  // The object on top of the stack is being changed by the current opcode.
  void traceMutation() {
    if (trace_ != nullptr && !starts_.empty()) trace_->mutations.push_back({op_offset_, stack_.back(), starts_.back()});
  }

  // `items` (key, value, key, value, ...) were just popped; popped_starts_ holds their starts.
  void tracePairs(const Value* target, const std::vector<Value*>& items) {
    if (trace_ == nullptr || items.size() % 2 != 0 || popped_starts_.size() != items.size()) return;
    PickleTrace::DictFill fill{target, op_offset_, {}};
    fill.pairs.reserve(items.size() / 2);
    for (std::size_t i = 0; i < items.size(); i += 2) {
      fill.pairs.push_back({items[i], popped_starts_[i], items[i + 1], popped_starts_[i + 1]});
    }
    trace_->dict_fills.push_back(std::move(fill));
  }

  std::string_view readInt(uint64_t size) {
    if (size > limits_.max_int_bytes) {
      fail("integer of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(limits_.max_int_bytes));
    }
    return cursor_.take(size);
  }

  // torch.load decodes Python 2 byte strings as UTF-8 and fails otherwise, unless the caller
  // passes encoding="latin1"; read them as Latin-1 then, and count them so callers can say so.
  std::string py2String(std::string_view raw) {
    if (isValidUtf8(raw, /*allow_surrogates=*/false)) return std::string(raw);
    if (pickle_.latin1_strings_++ == 0) pickle_.first_latin1_offset_ = op_offset_;
    return latin1ToUtf8(raw);
  }

  ByteCursor cursor_;
  ReaderLimits limits_;
  PickleTrace* trace_ = nullptr;
  std::vector<uint64_t> starts_;         // trace: where each stack item starts
  std::vector<uint64_t> mark_offsets_;   // trace: where each open MARK is
  std::vector<uint64_t> popped_starts_;  // trace: starts of the items the last pop took
  uint64_t consumed_start_ = 0;          // trace: start of what the current opcode consumed
  Pickle pickle_;
  ValueArena* arena_ = nullptr;
  const OpInfo* op_ = nullptr;
  uint64_t op_offset_ = 0;
  std::vector<Value*> stack_;
  std::vector<std::size_t> marks_;
  Memo memo_;
  std::unordered_map<const Value*, DictIndex> dict_indexes_;
  const Value* last_indexed_dict_ = nullptr;
  DictIndex* last_dict_index_ = nullptr;
  Value* small_ints_[262] = {};
  Value* none_ = nullptr;
  Value* true_ = nullptr;
  Value* false_ = nullptr;
  Value* empty_tuple_ = nullptr;
};

Result<Pickle> readPickle(std::string_view bytes, uint64_t start, const ReaderLimits& limits, PickleTrace* trace) {
  if (start >= bytes.size()) return makeError("empty pickle");
  if (trace != nullptr) *trace = PickleTrace{};
  Machine machine(bytes, start, limits, trace);
  try {
    return machine.run();
  } catch (const FormatError& error) {
    std::string message = error.what();
    // Cursor errors do not know the opcode; machine errors already start with "offset".
    if (message.rfind("offset ", 0) != 0) message = machine.located(message);
    return makeError("pickle: " + message);
  }
}

}  // namespace ckptlint::pickle
