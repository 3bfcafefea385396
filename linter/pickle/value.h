// The value tree a pickle describes, built without executing anything: globals stay names,
// calls stay (callee, args) pairs, persistent ids stay ids. Nodes live in a ValueArena and
// may be shared (the pickle memo) or even form cycles, so walkers must guard against both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ckptlint::pickle {

enum class ValueKind : uint8_t {
  kNone, kBool, kInt, kFloat, kString, kBytes,
  kTuple, kList, kDict, kSet, kFrozenSet,
  kGlobal,        // a module attribute reference (GLOBAL, STACK_GLOBAL, the class of INST)
  kCall,          // REDUCE, NEWOBJ, NEWOBJ_EX, OBJ or INST: callee applied to args, never run
  kPersistentId,  // PERSID / BINPERSID: the id the loader would resolve (a storage, for torch)
};

enum class CallKind : uint8_t { kReduce, kNewObj, kNewObjEx, kObj, kInst };

struct Value {
  ValueKind kind = ValueKind::kNone;
  CallKind call_kind = CallKind::kReduce;
  bool boolean = false;
  bool big_int = false;   // the integer does not fit int64; `text` holds it as hex ("0x…", "-0x…")
  bool resolved = true;   // globals: false when STACK_GLOBAL's operands were not strings
  int64_t integer = 0;
  double real = 0;
  uint64_t offset = 0;    // byte offset of the opcode that created the value
  std::string text;       // str and bytes payload; a global's module; a big int in hex
  std::string name;       // a global's attribute name
  /// Tuple/list/set elements; for a call: [callee, args] (+ kwargs for NEWOBJ_EX) followed by
  /// nothing else; for a persistent id: [pid].
  std::vector<Value*> items;
  /// Dict entries, and SETITEM(S) applied to a call result (OrderedDict() then SETITEMS).
  std::vector<std::pair<Value*, Value*>> entries;
  /// Elements APPEND(S)/ADDITEMS added to a call result (a list subclass, say).
  std::vector<Value*> appended;
  Value* state = nullptr;  // BUILD argument

  bool isString() const { return kind == ValueKind::kString; }
  bool isInt() const { return kind == ValueKind::kInt && !big_int; }
  bool isGlobal(std::string_view module, std::string_view attribute) const {
    return kind == ValueKind::kGlobal && text == module && name == attribute;
  }
  const Value* callee() const { return kind == ValueKind::kCall && !items.empty() ? items[0] : nullptr; }
  const Value* args() const { return kind == ValueKind::kCall && items.size() > 1 ? items[1] : nullptr; }
  std::string dottedName() const { return text + "." + name; }
};

const char* kindName(ValueKind kind);

/// Owns every node of one pickle's tree. Node addresses stay valid as it grows: nodes live in
/// fixed chunks (a std::deque would allocate a block for every two nodes of this size).
class ValueArena {
 public:
  Value* make(ValueKind kind, uint64_t offset) {
    if (size_ % kChunkNodes == 0) chunks_.push_back(std::make_unique<Value[]>(kChunkNodes));
    Value& value = chunks_.back()[size_ % kChunkNodes];
    ++size_;
    value.kind = kind;
    value.offset = offset;
    return &value;
  }
  std::size_t size() const { return size_; }

 private:
  static constexpr std::size_t kChunkNodes = 1024;
  std::vector<std::unique_ptr<Value[]>> chunks_;
  std::size_t size_ = 0;
};

/// Python's equality for the hashable scalars that act as dict keys (str, int, bool, None);
/// false for anything else.
bool sameScalarKey(const Value& a, const Value& b);

}  // namespace ckptlint::pickle
