// The result of `ckptlint check` over one or more files, as reporters receive it, and the
// four emitters. Reporters format; they never decide what is wrong.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/finding.h"
#include "linter/core/rule.h"

namespace ckptlint::reports {

/// A fix the planner left out (it conflicts with another one), and why.
struct SkippedFixReport {
  std::string rule_id;
  std::string description;
  std::string reason;
};

/// What `--diff` planned or `--apply` did for one file.
struct FileFixes {
  bool diff_only = false;                   // --diff: the plan is shown, nothing is written
  ObjectPath state_dict;                    // the state dict the edits apply to
  std::vector<Edit> edits;                  // the plan: every rename and drop
  std::size_t fixed_findings = 0;           // findings whose fix is in the plan
  std::vector<SkippedFixReport> skipped;
  std::size_t unsafe_not_applied = 0;       // findings with only unsafe fixes, without --unsafe-fixes
  std::string written;                      // --apply: the checkpoint written (empty: nothing written)
  std::string backup;                       // --apply in place: the original kept under this name
  std::vector<std::string> notes;           // the writer's notes (".format_version dropped")
  std::string error;                        // --apply failed: why; the original is unchanged
};

/// How a finding compares with the --baseline file (SARIF's baselineState): kUnchanged and
/// kUpdated (same fingerprint, another message) are known problems, hidden from the text and
/// GitHub reports, the counts and the exit code.
enum class BaselineState { kNew, kUnchanged, kUpdated };
std::string_view baselineStateName(BaselineState state);  // "new", "unchanged", "updated"

/// A baseline entry that no longer occurs (the problem was fixed, or its key renamed).
/// A known finding: an entry of a baseline file (baseline.h), or one of its entries that no
/// longer occurs (a report's stale_baseline).
struct BaselineEntry {
  std::string file;         // in a baseline file: relative to its folder; in a report: as given
                            // on the command line
  std::string fingerprint;  // "HASH:N" (fingerprint.h)
  std::string rule_id;
  std::optional<ObjectPath> state_dict;
  std::optional<std::string> key;
  std::string message;      // as recorded when the baseline was made
};
using StaleBaselineEntry = BaselineEntry;

struct FileResult {
  std::string file;                // as given on the command line
  std::vector<Finding> findings;   // in rule-registry order; CKL001 when it could not be read
                                   // (after --apply: what the re-check of the written file found)
  std::string sha256;              // hex; filled only when a SARIF report is written
  std::optional<FileFixes> fixes = std::nullopt;  // with --diff or --apply
  std::vector<BaselineState> baseline = {};       // with --baseline: one per finding; else empty
};

/// Whether the finding at `index` of `file` is a known problem of the --baseline.
bool hiddenByBaseline(const FileResult& file, std::size_t index);

struct CheckReport {
  std::vector<FileResult> files;           // in command-line order
  const std::vector<Rule>* rules = nullptr;  // the registry: SARIF's tool.driver.rules, ruleIndex
  std::string tool_version;                // "0.1.0"
  std::vector<std::string> command_line;   // argv, for SARIF's invocation
  int exit_code = 0;
  bool execution_successful = true;        // false when a file was unreadable or an I/O error occurred
  Level fail_on = Level::kError;           // for the summary line ("2 errors at or above ...")
  bool fail_on_never = false;
  bool with_baseline = false;              // --baseline given: findings carry their baseline state
  std::vector<StaleBaselineEntry> stale_baseline;  // entries of checked files that no longer occur
};

/// The rule's position in report.rules (SARIF's ruleIndex), or nullopt when it is not there.
std::optional<std::size_t> ruleIndex(const CheckReport& report, std::string_view rule_id);
/// The rule's kebab-case name ("wrapper-prefix"), or empty when it is not in report.rules.
std::string_view ruleName(const CheckReport& report, std::string_view rule_id);

/// `color`: ANSI colours for a terminal; the caller decides (TTY, NO_COLOR, CLICOLOR_FORCE).
void writeCheckText(const CheckReport& report, std::ostream& out, bool color);
void writeCheckJson(const CheckReport& report, std::ostream& out);
void writeCheckSarif(const CheckReport& report, std::ostream& out);
void writeCheckGithub(const CheckReport& report, std::ostream& out);

/// GitHub workflow-command escaping: message data (% CR LF) and property values (also : ,).
std::string escapeGithubData(std::string_view text);
std::string escapeGithubProperty(std::string_view text);

}  // namespace ckptlint::reports
