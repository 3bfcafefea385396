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
  uint64_t max_nodes = 20'000'000;        // values created (~150 bytes each)
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

/// Reads one pickle starting at `start` and ending at its STOP opcode.
/// Errors say what went wrong and at which offset and opcode.
Result<Pickle> readPickle(std::string_view bytes, uint64_t start = 0, const ReaderLimits& limits = {});

}  // namespace ckptlint::pickle
