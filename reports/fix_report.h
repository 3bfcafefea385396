// The `--diff` / `--apply` part of the check report (FileResult::fixes), in text and JSON.
#pragma once

#include <ostream>

#include "reports/check_report.h"
#include "reports/json_writer.h"

namespace ckptlint::reports {

/// Text: one line saying what was (or would be) fixed, where it was written, or why nothing
/// was; for --diff every edit on its own line; skipped fixes and writer notes.
void writeFixText(const FileResult& file, std::ostream& out);
/// Whether writeFixText has anything to say (not for a clean file with nothing to fix).
bool hasFixText(const FileResult& file);

/// JSON: {"mode": "diff"|"apply", "state_dict", "edits", "fixed_findings", "skipped",
/// "unsafe_not_applied", "written", "backup", "notes", "error"}.
void writeFixJson(JsonWriter& json, const FileFixes& fixes);

}  // namespace ckptlint::reports
