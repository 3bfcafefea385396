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
  summary.stale_baseline = report.stale_baseline.size();
  for (const FileResult& file : report.files) {
    bool any_shown = false;
    for (std::size_t index = 0; index < file.findings.size(); ++index) {
      if (hiddenByBaseline(file, index)) {
        ++summary.hidden_by_baseline;
        continue;
      }
      any_shown = true;
      const Finding& finding = file.findings[index];
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
    if (any_shown) ++summary.files_with_findings;
  }
  return summary;
}

}  // namespace ckptlint::reports
