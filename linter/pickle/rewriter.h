// Re-emits a pickle opcode by opcode with some dict entries changed: a key string replaced, or
// a whole key/value pair left out (torch-format.md §8.3). Everything else is copied byte for
// byte, memo indices included. Works on any pickle read with a PickleTrace; which dict entries
// to change is the caller's business (fix/state_dict_edits.h knows about state dicts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"
#include "linter/pickle/reader.h"

namespace ckptlint::pickle {

struct PairEdit {
  enum class Kind { kRenameKey, kDrop };
  Kind kind = Kind::kRenameKey;
  std::size_t fill = 0;  // index into PickleTrace::dict_fills
  std::size_t pair = 0;  // index into that fill's pairs
  std::string new_key;   // kRenameKey: the new key string
  /// kRenameKey when the key string is shared through the memo (read back by BINGET elsewhere,
  /// as CPython's interned '' and one-character strings are): false refuses the edit; true
  /// gives this key a fresh string and leaves the other users the old one.
  bool reencode_shared_key = false;
};

struct PickleRewrite {
  std::string bytes;  // the new pickle, followed by whatever followed the original's STOP
  /// Persistent ids (kPersistentId nodes) whose PERSID/BINPERSID opcode was left out with a
  /// dropped pair, and those still in the output.
  std::vector<const Value*> dropped_persistent_ids;
  std::vector<const Value*> kept_persistent_ids;
};

/// `bytes` and `start` as given to readPickle, `pickle` and `trace` what it returned.
/// Rules kept (§8.3): memo indices stay as they are; a new string is BINUNICODE
/// (SHORT_BINUNICODE in protocol >= 4 streams); FRAME lengths are recomputed. A dropped pair
/// takes its whole value with it; a memoized string, global or number defined inside it and
/// read outside it is re-defined at its first remaining use, and MEMOIZE opcodes become explicit
/// BINPUTs so that indices do not shift. Anything else defined inside a dropped pair and used
/// outside it (a tensor object shared with another key) is refused, as is a pair whose opcodes
/// change an object defined outside it, or a renamed key shared through the memo without
/// `reencode_shared_key`. Errors are one line naming the key.
///
/// `trim_persistent_ids`: indices into PickleTrace::persistent_loads whose id tuple loses its
/// last element, for turning legacy 6-tuple storage ids into the zip format's 5-tuples. Only a
/// `NONE` directly before the `TUPLE` that feeds the BINPERSID (a memo store may follow TUPLE
/// if that slot is never read back) is removed; any other layout is refused.
Result<PickleRewrite> rewritePickle(std::string_view bytes, uint64_t start, const Pickle& pickle,
                                    const PickleTrace& trace, const std::vector<PairEdit>& edits,
                                    const std::vector<std::size_t>& trim_persistent_ids = {});

}  // namespace ckptlint::pickle
