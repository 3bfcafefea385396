#include "linter/pickle/value.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace ckptlint::pickle {

namespace {
constexpr std::size_t kFirstChunkNodes = 256;
constexpr std::size_t kFirstSlotBlock = 1024;
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kMaxChunkBytes = 4 * kHugePage;

// Memory for nodes or slots; blocks of a huge page or more are aligned to one so the kernel
// can back them with huge pages (a hint, never required).
void* allocateBlock(std::size_t bytes) {
  void* memory = nullptr;
  if (bytes >= kHugePage) {
    if (posix_memalign(&memory, kHugePage, bytes) != 0) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(memory, bytes, MADV_HUGEPAGE);
#endif
  } else {
    memory = std::malloc(bytes);
    if (memory == nullptr) throw std::bad_alloc();
  }
  return memory;
}
}  // namespace

const RareParts Value::kNoParts;

void ValueArena::addChunk() {
  const std::size_t max_nodes = kMaxChunkBytes / sizeof(Value);
  const std::size_t nodes = chunks_.empty() ? kFirstChunkNodes : std::min(capacity_ * 2, max_nodes);
  chunks_.reserve(chunks_.size() + 1);  // so that recording the chunk cannot throw and leak it
  chunks_.push_back(Chunk{static_cast<Value*>(allocateBlock(nodes * sizeof(Value))), nodes});
  used_ = 0;
  capacity_ = nodes;
}

Value** ValueArena::slots(std::size_t count) {
  if (count > free_slot_count_) {
    const std::size_t max_slots = kMaxChunkBytes / sizeof(Value*);
    slot_block_size_ = slot_block_size_ == 0 ? kFirstSlotBlock : std::min(slot_block_size_ * 2, max_slots);
    // A list larger than a block gets a block of its own; the current block stays in use.
    const bool own_block = count > slot_block_size_ / 2;
    const std::size_t block = own_block ? count : slot_block_size_;
    slot_blocks_.reserve(slot_blocks_.size() + 1);
    auto* memory = static_cast<Value**>(allocateBlock(block * sizeof(Value*)));
    slot_blocks_.push_back(memory);
    if (own_block) return memory;
    free_slots_ = memory;
    free_slot_count_ = block;
  }
  Value** taken = free_slots_;
  free_slots_ += count;
  free_slot_count_ -= count;
  return taken;
}

ValueList ValueArena::list(Value* const* values, std::size_t count) {
  ValueList list;
  append(list, values, count);
  return list;
}

void ValueArena::append(ValueList& list, Value* const* values, std::size_t count) {
  if (count == 0) return;
  const std::size_t needed = std::size_t{list.size_} + count;
  if (needed > UINT32_MAX) throw std::length_error("list too long");
  if (needed > list.capacity_) {
    const std::size_t capacity = list.capacity_ == 0 ? needed : std::max(needed, std::size_t{list.capacity_} * 2);
    Value** moved = slots(capacity);
    std::copy(list.data_, list.data_ + list.size_, moved);
    list.data_ = moved;
    list.capacity_ = static_cast<uint32_t>(capacity);
  }
  std::copy(values, values + count, list.data_ + list.size_);
  list.size_ = static_cast<uint32_t>(needed);
}

ValueArena::~ValueArena() {
  for (std::size_t c = 0; c < chunks_.size(); ++c) {
    const std::size_t made = c + 1 == chunks_.size() ? used_ : chunks_[c].capacity;
    for (std::size_t i = 0; i < made; ++i) chunks_[c].nodes[i].~Value();
    std::free(chunks_[c].nodes);
  }
  for (void* block : slot_blocks_) std::free(block);
}

const char* kindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNone: return "None";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "int";
    case ValueKind::kFloat: return "float";
    case ValueKind::kString: return "str";
    case ValueKind::kBytes: return "bytes";
    case ValueKind::kTuple: return "tuple";
    case ValueKind::kList: return "list";
    case ValueKind::kDict: return "dict";
    case ValueKind::kSet: return "set";
    case ValueKind::kFrozenSet: return "frozenset";
    case ValueKind::kGlobal: return "global";
    case ValueKind::kCall: return "object";
    case ValueKind::kPersistentId: return "persistent id";
  }
  return "?";
}

bool sameScalarKey(const Value& a, const Value& b) {
  auto asInt = [](const Value& v, int64_t* out) {
    if (v.kind == ValueKind::kInt && !v.big_int) {
      *out = v.integer;
      return true;
    }
    if (v.kind == ValueKind::kBool) {  // True == 1 in Python, as a dict key too
      *out = v.boolean ? 1 : 0;
      return true;
    }
    return false;
  };
  int64_t left = 0;
  int64_t right = 0;
  if (asInt(a, &left) && asInt(b, &right)) return left == right;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::kString:
    case ValueKind::kBytes: return a.text == b.text;
    case ValueKind::kInt: return a.big_int && b.big_int && a.text == b.text;
    case ValueKind::kNone: return true;
    default: return false;
  }
}

}  // namespace ckptlint::pickle
