#include "reports/check_summary.h"

#include <algorithm>

namespace ckptlint::reports {
namespace {

bool hasFix(const Finding& finding, Applicability applicability) {
  return std::any_of(finding.fixes.begin(), finding.fixes.end(),
                     [&](const Fix& fix) { return fix.applicability == applicability; });
}

}  // namespace

CheckSummary summarize(const CheckReport& report) {
  CheckSummary summary;
  summary.files = report.files.size();
  for (const FileResult& file : report.files) {
    if (!file.findings.empty()) ++summary.files_with_findings;
    for (const Finding& finding : file.findings) {
      ++summary.findings;
      switch (finding.level) {
        case Level::kError: ++summary.errors; break;
        case Level::kWarning: ++summary.warnings; break;
        case Level::kNote: ++summary.notes; break;
      }
      if (!report.fail_on_never && finding.level >= report.fail_on) ++summary.at_or_above_fail_on;
      if (hasFix(finding, Applicability::kSafe)) {
        ++summary.fixable;
      } else if (hasFix(finding, Applicability::kUnsafe)) {
        ++summary.fixable_unsafe;
      }
    }
  }
  return summary;
}

}  // namespace ckptlint::reports
