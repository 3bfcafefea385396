#include "reports/check_report.h"

namespace ckptlint::reports {

std::optional<std::size_t> ruleIndex(const CheckReport& report, std::string_view rule_id) {
  if (report.rules == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < report.rules->size(); ++i) {
    if ((*report.rules)[i].info.id == rule_id) return i;
  }
  return std::nullopt;
}

std::string_view ruleName(const CheckReport& report, std::string_view rule_id) {
  const std::optional<std::size_t> index = ruleIndex(report, rule_id);
  return index ? (*report.rules)[*index].info.name : std::string_view();
}

std::string_view baselineStateName(BaselineState state) {
  switch (state) {
    case BaselineState::kUnchanged: return "unchanged";
    case BaselineState::kUpdated: return "updated";
    case BaselineState::kNew: break;
  }
  return "new";
}

bool hiddenByBaseline(const FileResult& file, std::size_t index) {
  return index < file.baseline.size() && file.baseline[index] != BaselineState::kNew;
}

}  // namespace ckptlint::reports
