#include "linter/core/rule.h"

#include <variant>

namespace ckptlint {

Finding& FindingSink::add(std::string message) {
  Finding& finding = addForFile(std::move(message));
  if (context_.state_dict.chosen != nullptr) finding.state_dict = context_.state_dict.chosen->path;
  return finding;
}

Finding& FindingSink::addForFile(std::string message) {
  Finding& finding = out_.emplace_back();
  finding.rule_id = std::string(rule_.id);
  finding.level = rule_.default_level;
  finding.message = std::move(message);
  finding.file = context_.checkpoint.file;
  return finding;
}

Rule defineRule(std::string_view id, std::string_view name, Level level, std::string_view summary,
                CheckFunction check, RuleNeeds needs) {
  Rule rule;
  rule.info.id = id;
  rule.info.name = name;
  rule.info.default_level = level;
  rule.info.summary = summary;
  rule.info.needs_model = needs == RuleNeeds::kModel;
  rule.info.needs_values = needs == RuleNeeds::kValues;
  rule.check = check;
  return rule;
}

std::string_view stateDictKey(const TensorInfo& tensor) {
  if (tensor.path.empty()) return {};
  const auto* key = std::get_if<std::string>(&tensor.path.back());
  return key != nullptr ? std::string_view(*key) : std::string_view();
}

}  // namespace ckptlint
