// Finding and Fix: what a rule reports, as plain data. Reporters format them; the fix planner
// applies their edits. A rule never formats output.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/object_path.h"

namespace ckptlint {

/// Ordered by severity, so `level >= threshold` works.
enum class Level { kNote = 0, kWarning = 1, kError = 2 };

std::string_view levelName(Level level);                  // "note", "warning", "error"
std::optional<Level> levelFromName(std::string_view name);

/// One change to a state dict's keys.
struct Edit {
  enum class Op { kRenameKey, kDropKey };
  Op op = Op::kRenameKey;
  std::string from;  // the key as it is in the checkpoint (the dropped key for kDropKey)
  std::string to;    // the new key; empty for kDropKey
};

std::string_view editOpName(Edit::Op op);  // "rename-key", "drop-key"

/// "124 keys renamed, 1 dropped" (parts that are zero left out; "no keys changed" when empty).
std::string describeEdits(const std::vector<Edit>& edits);

enum class Applicability { kSafe, kUnsafe };
std::string_view applicabilityName(Applicability applicability);  // "safe", "unsafe"

struct Fix {
  std::string description;
  Applicability applicability = Applicability::kSafe;
  std::vector<Edit> edits;
};

struct Finding {
  std::string rule_id;                // "CKL103"
  Level level = Level::kError;
  std::string message;                // one paragraph, no trailing newline
  std::string file;                   // the snapshot it is about
  std::optional<ObjectPath> state_dict;  // logical location: which state dict
  std::optional<std::string> key;     // the primary key, if there is one
  std::vector<std::string> keys;      // every checkpoint or model key the finding covers
  std::optional<ByteRange> bytes;     // where in the file, when a byte range says it better
  std::vector<Fix> fixes;
};

}  // namespace ckptlint
