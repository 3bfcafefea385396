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

std::string describeEdits(const std::vector<Edit>& edits) {
  std::size_t renamed = 0;
  std::size_t dropped = 0;
  for (const Edit& edit : edits) ++(edit.op == Edit::Op::kDropKey ? dropped : renamed);
  if (renamed == 0 && dropped == 0) return "no keys changed";
  const auto keys = [](std::size_t count) { return std::to_string(count) + (count == 1 ? " key" : " keys"); };
  if (renamed == 0) return keys(dropped) + " dropped";
  return keys(renamed) + " renamed" + (dropped > 0 ? ", " + std::to_string(dropped) + " dropped" : "");
}

std::string_view applicabilityName(Applicability applicability) {
  return applicability == Applicability::kSafe ? "safe" : "unsafe";
}

}  // namespace ckptlint
