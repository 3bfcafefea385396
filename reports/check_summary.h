// Counts over a check report, shared by the text summary line and the JSON "summary" member.
#pragma once

#include <cstddef>

#include "reports/check_report.h"

namespace ckptlint::reports {

struct CheckSummary {
  std::size_t files = 0;
  std::size_t files_with_findings = 0;
  std::size_t findings = 0;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t notes = 0;
  std::size_t at_or_above_fail_on = 0;  // 0 with --fail-on never
  std::size_t fixable = 0;              // findings with a safe fix: `--apply` fixes them
  std::size_t fixable_unsafe = 0;       // findings whose only fixes are unsafe: `--apply --unsafe-fixes`
  std::size_t hidden_by_baseline = 0;   // known problems of the --baseline: in none of the counts above
  std::size_t stale_baseline = 0;       // baseline entries that no longer occur
};

CheckSummary summarize(const CheckReport& report);

}  // namespace ckptlint::reports
