// The value tree a pickle describes, built without executing anything: globals stay names,
// calls stay (callee, args) pairs, persistent ids stay ids. Nodes live in a ValueArena and
// may be shared (the pickle memo) or even form cycles, so walkers must guard against both.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <string>
#include <string_view>
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

struct Value;
using Entries = std::vector<std::pair<Value*, Value*>>;

/// A node's elements, in slots its ValueArena owns (see ValueArena::list and append): no
/// allocation of its own per tuple, and half a std::vector's size.
class ValueList {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Value* operator[](std::size_t i) const { return data_[i]; }
  Value* front() const { return data_[0]; }
  Value* back() const { return data_[size_ - 1]; }
  Value* const* begin() const { return data_; }
  Value* const* end() const { return data_ + size_; }

 private:
  friend class ValueArena;
  Value** data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
};

/// What only some nodes carry, kept out of line so that the common nodes (strings, ints,
/// tuples: most of a state dict's million nodes) stay half the size.
struct RareParts {
  std::string name;  // a global's attribute name
  /// Dict entries, and SETITEM(S) applied to a call result (OrderedDict() then SETITEMS).
  Entries entries;
  /// Elements APPEND(S)/ADDITEMS added to a call result (a list subclass, say).
  ValueList appended;
  Value* state = nullptr;  // BUILD argument
};

struct Value {
  ValueKind kind = ValueKind::kNone;
  CallKind call_kind = CallKind::kReduce;
  bool boolean = false;
  bool big_int = false;   // the integer does not fit int64; `text` holds it as hex ("0x…", "-0x…")
  bool resolved = true;   // globals: false when STACK_GLOBAL's operands were not strings
  union {
    int64_t integer = 0;  // kInt
    double real;          // kFloat
  };
  uint64_t offset = 0;    // byte offset of the opcode that created the value
  std::string text;       // str and bytes payload; a global's module; a big int in hex
  /// Tuple/list/set elements; for a call: [callee, args] (+ kwargs for NEWOBJ_EX) followed by
  /// nothing else; for a persistent id: [pid].
  ValueList items;

  const std::string& name() const { return rare_ ? rare_->name : kNoParts.name; }
  const Entries& entries() const { return rare_ ? rare_->entries : kNoParts.entries; }
  const ValueList& appended() const { return rare_ ? rare_->appended : kNoParts.appended; }
  Value* state() const { return rare_ ? rare_->state : nullptr; }
  /// For whoever builds the node (the reader, tests): its rare parts, made on first use.
  RareParts& rare() {
    if (!rare_) rare_ = std::make_unique<RareParts>();
    return *rare_;
  }

  bool isString() const { return kind == ValueKind::kString; }
  bool isInt() const { return kind == ValueKind::kInt && !big_int; }
  bool isGlobal(std::string_view module, std::string_view attribute) const {
    return kind == ValueKind::kGlobal && text == module && name() == attribute;
  }
  const Value* callee() const { return kind == ValueKind::kCall && !items.empty() ? items[0] : nullptr; }
  const Value* args() const { return kind == ValueKind::kCall && items.size() > 1 ? items[1] : nullptr; }
  std::string dottedName() const { return text + "." + name(); }

 private:
  static const RareParts kNoParts;
  std::unique_ptr<RareParts> rare_;
};

const char* kindName(ValueKind kind);

/// Owns every node of one pickle's tree. Node addresses stay valid as it grows: nodes live in
/// chunks that are never moved. Chunks double in size up to a few MB, so a small pickle stays
/// small, and the large ones are offered to the kernel as huge pages: a million-node tree
/// otherwise pays a page fault for every 4 KB it touches.
class ValueArena {
 public:
  ValueArena() = default;
  ValueArena(const ValueArena&) = delete;
  ValueArena& operator=(const ValueArena&) = delete;
  ~ValueArena();

  Value* make(ValueKind kind, uint64_t offset) {
    if (used_ == capacity_) addChunk();
    Value* value = new (&chunks_.back().nodes[used_++]) Value;
    ++size_;
    value->kind = kind;
    value->offset = offset;
    return value;
  }
  std::size_t size() const { return size_; }

  /// A list of `count` values, in slots of this arena.
  ValueList list(Value* const* values, std::size_t count);
  ValueList list(std::initializer_list<Value*> values) { return list(values.begin(), values.size()); }
  /// Adds values to the end of `list`, moving it to twice the slots when full (old slots are
  /// not reused, so growth wastes at most what the list holds).
  void append(ValueList& list, Value* const* values, std::size_t count);

 private:
  struct Chunk {
    Value* nodes;
    std::size_t capacity;
  };
  void addChunk();
  Value** slots(std::size_t count);

  std::vector<Chunk> chunks_;
  std::size_t used_ = 0;      // nodes made in the last chunk
  std::size_t capacity_ = 0;  // nodes the last chunk holds
  std::size_t size_ = 0;
  std::vector<void*> slot_blocks_;
  Value** free_slots_ = nullptr;  // the unused end of the last slot block
  std::size_t free_slot_count_ = 0;
  std::size_t slot_block_size_ = 0;
};

/// Python's equality for the hashable scalars that act as dict keys (str, int, bool, None);
/// false for anything else.
bool sameScalarKey(const Value& a, const Value& b);

}  // namespace ckptlint::pickle
