// GitHub Actions workflow commands: one `::error file=...,title=...::message` line per finding,
// which the runner turns into annotations. Escaping follows @actions/core (command.ts):
// data escapes % CR LF; property values also escape : and , (keys may contain both).
// With --baseline the known findings are left out and stale entries are `::notice` lines.
#include <string>

#include "linter/core/printable.h"
#include "reports/check_report.h"

namespace ckptlint::reports {

std::string escapeGithubData(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escapeGithubProperty(std::string_view text) {
  std::string out;
  for (char c : escapeGithubData(text)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::string_view commandFor(Level level) {
  return level == Level::kError ? "error" : level == Level::kWarning ? "warning" : "notice";
}

}  // namespace

void writeCheckGithub(const CheckReport& report, std::ostream& out) {
  for (const FileResult& file : report.files) {
    for (std::size_t index = 0; index < file.findings.size(); ++index) {
      if (hiddenByBaseline(file, index)) continue;  // a known problem of the --baseline
      const Finding& finding = file.findings[index];
      std::string title = finding.rule_id;
      const std::string_view name = ruleName(report, finding.rule_id);
      if (!name.empty()) title += " " + std::string(name);
      // The annotation is all a CI user sees, so the fixes go into it too (one per line). Each
      // line is made printable first: keys may carry ESC or NUL, which would reach the log raw.
      std::string message = printable(finding.message);
      for (const Fix& fix : finding.fixes) {
        message += "\nfix (" + std::string(applicabilityName(fix.applicability)) + "): " + printable(fix.description);
      }
      out << "::" << commandFor(finding.level) << " file=" << escapeGithubProperty(file.file)
          << ",title=" << escapeGithubProperty(title) << "::" << escapeGithubData(message) << '\n';
    }
  }
  for (const StaleBaselineEntry& entry : report.stale_baseline) {
    out << "::notice file=" << escapeGithubProperty(entry.file)
        << ",title=" << escapeGithubProperty("stale baseline entry " + entry.rule_id) << "::"
        << escapeGithubData("no longer occurs (refresh the baseline with 'ckptlint baseline create'): " +
                            printable(entry.message))
        << '\n';
  }
}

}  // namespace ckptlint::reports
