// The non-executing pickle reader: runs the pickle machine over a byte span and returns the
// value tree it describes. Nothing is imported or called; every global it meets is recorded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"
#include "linter/pickle/value.h"

namespace ckptlint::pickle {

/// Bounds on what one pickle may make the reader hold; exceeding one is an error naming it.
struct ReaderLimits {
  uint64_t max_nodes = 20'000'000;        // values created (~90 bytes each)
  uint64_t max_memo_entries = 20'000'000;
  uint64_t max_stack_size = 20'000'000;   // values on the stack at once
  uint64_t max_mark_depth = 100'000;      // nested MARKs
  uint64_t max_string_size = uint64_t{1} << 30;
  uint64_t max_int_bytes = 4096;          // LONG1/LONG4/LONG payloads (Python limits digits too)
};

struct GlobalRef {
  std::string module;  // after Python 2 -> 3 renaming, as Python would import it
  std::string name;
  uint64_t offset = 0; // of the GLOBAL / STACK_GLOBAL / INST opcode
  bool resolved = true;
  std::string opcode;
};

class Pickle {
 public:
  const Value* root() const { return root_; }
  /// The PROTO argument, or 0 for a stream without PROTO (protocol 0/1).
  int protocol() const { return protocol_; }
  /// Offset just past STOP; bytes from here on are not part of this pickle.
  uint64_t endOffset() const { return end_; }
  const std::vector<GlobalRef>& globals() const { return globals_; }
  /// Python 2 byte strings that are not UTF-8 (read as Latin-1; torch.load needs
  /// encoding="latin1" for them), and where the first one is.
  std::size_t latin1Strings() const { return latin1_strings_; }
  uint64_t firstLatin1Offset() const { return first_latin1_offset_; }

 private:
  friend class Machine;
  std::unique_ptr<ValueArena> arena_ = std::make_unique<ValueArena>();
  const Value* root_ = nullptr;
  int protocol_ = 0;
  uint64_t end_ = 0;
  std::vector<GlobalRef> globals_;
  std::size_t latin1_strings_ = 0;
  uint64_t first_latin1_offset_ = 0;
};

/// Where things happened in the stream, for code that re-emits it (pickle/rewriter.h). Filled
/// only when a trace is passed to readPickle, so plain reads pay nothing for it. Offsets are
/// into the bytes given to readPickle. The "start" of a stack item is the offset of the first
/// opcode that went into it (a MARK, a GLOBAL before its REDUCE, ...): an item spans from its
/// start to the start of the next item (or the opcode that consumes it).
struct PickleTrace {
  std::vector<uint64_t> op_offsets;  // every opcode in order, STOP included

  struct Pair {
    const Value* key;
    uint64_t key_start;
    const Value* value;
    uint64_t value_start;
  };
  /// One SETITEM, SETITEMS or DICT: the pairs it stores into `target`, in order.
  struct DictFill {
    const Value* target;
    uint64_t op_offset;  // of the SETITEM / SETITEMS / DICT opcode
    std::vector<Pair> pairs;
  };
  std::vector<DictFill> dict_fills;

  /// An opcode that changes an object already on the stack (SETITEM(S), APPEND(S), ADDITEMS,
  /// BUILD), the object, and where its stack item starts (a BINGET of it, or its creation).
  struct Mutation {
    uint64_t op_offset;
    const Value* target;
    uint64_t target_start;
  };
  std::vector<Mutation> mutations;

  struct MemoPut {
    uint64_t index;
    uint64_t op_offset;   // BINPUT / LONG_BINPUT / PUT / MEMOIZE
    uint64_t item_start;  // start of the item it memoizes
  };
  std::vector<MemoPut> puts;
  struct MemoGet {
    uint64_t index;
    uint64_t op_offset;
  };
  std::vector<MemoGet> gets;

  struct PersistentLoad {
    uint64_t op_offset;  // the PERSID / BINPERSID opcode
    const Value* id;     // the kPersistentId node
  };
  std::vector<PersistentLoad> persistent_loads;
};

/// Reads one pickle starting at `start` and ending at its STOP opcode.
/// Errors say what went wrong and at which offset and opcode.
Result<Pickle> readPickle(std::string_view bytes, uint64_t start = 0, const ReaderLimits& limits = {},
                          PickleTrace* trace = nullptr);

}  // namespace ckptlint::pickle
