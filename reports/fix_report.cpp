#include "reports/fix_report.h"

#include <string>

#include "linter/core/printable.h"
#include "reports/finding_json.h"
#include "reports/object_path_json.h"

namespace ckptlint::reports {
namespace {

std::string counted(std::size_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

void writeEditLines(const FileFixes& fixes, std::ostream& out) {
  for (const Edit& edit : fixes.edits) {
    if (edit.op == Edit::Op::kDropKey) {
      out << "    drop " << printable(edit.from) << '\n';
    } else {
      out << "    " << printable(edit.from) << " \u2192 " << printable(edit.to) << '\n';
    }
  }
}

void writeNullableString(JsonWriter& json, const std::string& text) { text.empty() ? json.null() : json.value(text); }

}  // namespace

bool hasFixText(const FileResult& file) {
  if (!file.fixes) return false;
  const FileFixes& fixes = *file.fixes;
  return !file.findings.empty() || !fixes.edits.empty() || !fixes.skipped.empty() || !fixes.error.empty() ||
         !fixes.notes.empty();
}

void writeFixText(const FileResult& file, std::ostream& out) {
  const FileFixes& fixes = *file.fixes;
  const std::string name = printable(file.file);
  const std::string where = "in state dict " + printable(displayPath(fixes.state_dict));
  if (!fixes.error.empty()) {
    out << name << ": fixes not applied, the file is unchanged: " << printable(fixes.error) << '\n';
  } else if (fixes.edits.empty()) {
    if (!file.findings.empty() || !fixes.skipped.empty()) out << name << ": nothing to fix\n";
  } else if (fixes.diff_only) {
    out << name << ": --apply would fix " << counted(fixes.fixed_findings, "finding") << " " << where << " ("
        << describeEdits(fixes.edits) << "):\n";
    writeEditLines(fixes, out);
  } else {
    out << name << ": fixed " << counted(fixes.fixed_findings, "finding") << " " << where << ": "
        << describeEdits(fixes.edits) << "; wrote " << printable(fixes.written);
    if (!fixes.backup.empty()) out << " (backup " << printable(fixes.backup) << ")";
    out << '\n';
  }
  for (const SkippedFixReport& skipped : fixes.skipped) {
    out << "    skipped " << skipped.rule_id << " fix (" << printable(skipped.description)
        << "): " << printable(skipped.reason) << '\n';
  }
  if (fixes.unsafe_not_applied > 0) {
    out << "    " << counted(fixes.unsafe_not_applied, "finding") << " with only unsafe fixes left alone "
        << "(--unsafe-fixes applies them)\n";
  }
  for (const std::string& note : fixes.notes) out << "    note: " << printable(note) << '\n';
}

void writeFixJson(JsonWriter& json, const FileFixes& fixes) {
  json.beginObject();
  json.key("mode").value(fixes.diff_only ? "diff" : "apply");
  json.key("state_dict");
  writeObjectPath(json, fixes.state_dict);
  json.key("edits").beginArray();
  for (const Edit& edit : fixes.edits) writeEdit(json, edit);
  json.endArray();
  json.key("fixed_findings").value(uint64_t{fixes.fixed_findings});
  json.key("skipped").beginArray();
  for (const SkippedFixReport& skipped : fixes.skipped) {
    json.beginObject();
    json.key("rule").value(skipped.rule_id);
    json.key("description").value(skipped.description);
    json.key("reason").value(skipped.reason);
    json.endObject();
  }
  json.endArray();
  json.key("unsafe_not_applied").value(uint64_t{fixes.unsafe_not_applied});
  json.key("written");
  writeNullableString(json, fixes.written);
  json.key("backup");
  writeNullableString(json, fixes.backup);
  json.key("notes");
  writeStringList(json, fixes.notes);
  json.key("error");
  writeNullableString(json, fixes.error);
  json.endObject();
}

}  // namespace ckptlint::reports
