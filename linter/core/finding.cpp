#include "linter/core/finding.h"

namespace ckptlint {

std::string_view levelName(Level level) {
  switch (level) {
    case Level::kNote: return "note";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "error";
}

std::optional<Level> levelFromName(std::string_view name) {
  for (Level level : {Level::kNote, Level::kWarning, Level::kError}) {
    if (levelName(level) == name) return level;
  }
  return std::nullopt;
}

std::string_view editOpName(Edit::Op op) { return op == Edit::Op::kRenameKey ? "rename-key" : "drop-key"; }

std::string_view applicabilityName(Applicability applicability) {
  return applicability == Applicability::kSafe ? "safe" : "unsafe";
}

}  // namespace ckptlint
