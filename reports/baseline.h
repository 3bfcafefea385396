// Baseline files: the known problems of a set of checkpoints (`ckptlint baseline create`), so
// that `check --baseline FILE` reports only new ones. An entry is keyed by the checked file's
// path relative to the baseline file's folder and the finding's fingerprint (fingerprint.h), so
// that a.pt's CKL103 is not b.pt's and the folder can move with its baseline.
//
// {"format": "ckptlint-baseline", "version": 1, "tool": {...}, "entries": [{"file", "fingerprint",
//  "rule", "state_dict", "key", "message"}, ...]}, entries sorted by file, rule, fingerprint.
// Matching reads only "file" and "fingerprint" ("message" tells an updated finding); the rest
// is there for people reviewing the file.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"
#include "reports/check_report.h"
#include "reports/json_writer.h"

namespace ckptlint::reports {

inline constexpr std::string_view kBaselineFormat = "ckptlint-baseline";
inline constexpr int kBaselineVersion = 1;

/// One entry as the baseline file writes it (also a report's stale entries in JSON).
void writeBaselineEntry(JsonWriter& json, const BaselineEntry& entry);

/// A checked file's key in a baseline: its path relative to the baseline file's folder.
using BaselineFileKey = std::function<std::string(const std::string& checked_path)>;

/// One entry per finding of `files`, sorted. CKL001 is left out: an unreadable file is never a
/// known problem (`baseline create` refuses to write then).
std::vector<BaselineEntry> baselineEntries(const std::vector<FileResult>& files, const BaselineFileKey& key_of);

/// The baseline file's text, one entry per line.
std::string baselineJson(const std::vector<BaselineEntry>& entries, std::string_view tool_version);

/// Reads a baseline file's text; the error says what is wrong with it (not JSON, another
/// format or version, an entry without "file" or "fingerprint").
Result<std::vector<BaselineEntry>> parseBaselineJson(std::string_view text);

/// Marks every finding of report.files as new, unchanged or updated (FileResult::baseline;
/// CKL001 is always new: fail closed) and lists in report.stale_baseline the entries that no
/// longer occur -- only those of files this run read (no CKL001) and of rules that ran
/// (`rule_ran`): a file or rule left out of this run proves nothing.
void applyBaseline(const std::vector<BaselineEntry>& entries, const BaselineFileKey& key_of,
                   const std::function<bool(std::string_view rule_id)>& rule_ran, CheckReport& report);

}  // namespace ckptlint::reports
