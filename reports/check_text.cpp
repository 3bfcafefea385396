// Text report of `ckptlint check`, for people: one block per finding, grouped by file, then a
// summary line. Every string goes through printable(): messages and keys may quote crafted
// key names, which must not fake report lines. With --baseline the known findings are left
// out (counted on a last line) and stale baseline entries are listed as notes.
#include <string>

#include "linter/core/printable.h"
#include "reports/check_report.h"
#include "reports/check_summary.h"
#include "reports/fix_report.h"

namespace ckptlint::reports {
namespace {

constexpr std::size_t kKeysShown = 3;

class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  std::string bold(std::string_view text) const { return wrap("1", text); }
  std::string dim(std::string_view text) const { return wrap("2", text); }
  std::string level(Level level) const {
    const char* code = level == Level::kError ? "1;31" : level == Level::kWarning ? "1;33" : "1;36";
    return wrap(code, levelName(level));
  }

 private:
  std::string wrap(const char* code, std::string_view text) const {
    if (!color_) return std::string(text);
    return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
  }
  bool color_;
};

std::string counted(std::size_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string keyList(const Finding& finding) {
  std::string text;
  for (std::size_t i = 0; i < finding.keys.size() && i < kKeysShown; ++i) {
    text += (i > 0 ? ", " : "") + printable(finding.keys[i]);
  }
  if (finding.keys.size() > kKeysShown) text += ", ... (" + std::to_string(finding.keys.size()) + " in all)";
  return text;
}

void writeFinding(const CheckReport& report, const std::string& file, const Finding& finding, const Style& style,
                  std::ostream& out) {
  const std::string_view name = ruleName(report, finding.rule_id);
  out << style.bold(printable(file) + ":") << ' ' << style.level(finding.level) << ' '
      << style.bold(finding.rule_id);
  if (!name.empty()) out << ' ' << style.dim("[" + std::string(name) + "]");
  out << ' ' << printable(finding.message) << '\n';
  if (finding.state_dict) out << "    state dict: " << printable(displayPath(*finding.state_dict)) << '\n';
  if (finding.keys.size() > 1) {
    out << "    keys: " << keyList(finding) << '\n';
  } else if (finding.key) {
    out << "    key: " << printable(*finding.key) << '\n';
  }
  if (finding.bytes) {
    out << "    bytes: " << finding.bytes->size << " at offset " << finding.bytes->offset << '\n';
  }
  for (const Fix& fix : finding.fixes) {
    out << "    fix (" << applicabilityName(fix.applicability) << "): " << printable(fix.description) << '\n';
  }
}

std::string problemCounts(const CheckSummary& summary) {
  std::string counts;
  const auto add = [&](std::size_t count, std::string_view noun) {
    if (count == 0) return;
    counts += (counts.empty() ? "" : ", ") + counted(count, noun);
  };
  add(summary.errors, "error");
  add(summary.warnings, "warning");
  add(summary.notes, "note");
  return counts;
}

void writeSummary(const CheckReport& report, const CheckSummary& summary, const Style& style, std::ostream& out) {
  if (summary.findings == 0) {
    out << style.bold("All checks passed") << " (" << counted(summary.files, "file") << ").\n";
    return;
  }
  out << "Found " << counted(summary.findings, "problem") << " (" << problemCounts(summary) << ") in ";
  if (summary.files_with_findings == summary.files) {
    out << counted(summary.files, "file");
  } else {
    out << summary.files_with_findings << " of " << counted(summary.files, "file");
  }
  if (summary.fixable > 0) out << "; " << summary.fixable << " with a safe fix";
  if (summary.fixable_unsafe > 0) out << "; " << summary.fixable_unsafe << " with only unsafe fixes";
  if (!report.fail_on_never && summary.at_or_above_fail_on < summary.findings) {
    out << "; " << summary.at_or_above_fail_on << " at or above --fail-on=" << levelName(report.fail_on);
  }
  out << ".\n";
}

// What the baseline did: "3 findings hidden by the baseline; 1 baseline entry no longer occurs."
void writeBaselineSummary(const CheckReport& report, const CheckSummary& summary, const Style& style,
                          std::ostream& out) {
  if (!report.with_baseline) return;
  out << style.dim(counted(summary.hidden_by_baseline, "finding") + " hidden by the baseline");
  if (summary.stale_baseline > 0) {
    const bool one = summary.stale_baseline == 1;
    out << "; " << summary.stale_baseline << (one ? " baseline entry no longer occurs" : " baseline entries no longer occur")
        << " (refresh the baseline with 'ckptlint baseline create')";
  }
  out << ".\n";
}

// A baseline entry whose problem is gone: a note, never a failure.
void writeStaleEntry(const CheckReport& report, const StaleBaselineEntry& entry, const Style& style, std::ostream& out) {
  const std::string_view name = ruleName(report, entry.rule_id);
  out << style.bold(printable(entry.file) + ":") << ' ' << style.level(Level::kNote) << ' '
      << "stale baseline entry " << style.bold(entry.rule_id);
  if (!name.empty()) out << ' ' << style.dim("[" + std::string(name) + "]");
  out << " no longer occurs: " << printable(entry.message) << '\n';
}

}  // namespace

void writeCheckText(const CheckReport& report, std::ostream& out, bool color) {
  const Style style(color);
  for (const FileResult& file : report.files) {
    bool any_shown = false;
    for (std::size_t index = 0; index < file.findings.size(); ++index) {
      if (hiddenByBaseline(file, index)) continue;
      writeFinding(report, file.file, file.findings[index], style, out);
      any_shown = true;
    }
    if (hasFixText(file)) writeFixText(file, out);
    if (any_shown || hasFixText(file)) out << '\n';
  }
  for (const StaleBaselineEntry& entry : report.stale_baseline) writeStaleEntry(report, entry, style, out);
  if (!report.stale_baseline.empty()) out << '\n';
  const CheckSummary summary = summarize(report);
  writeSummary(report, summary, style, out);
  writeBaselineSummary(report, summary, style, out);
}

}  // namespace ckptlint::reports
