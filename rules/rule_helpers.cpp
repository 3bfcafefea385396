#include "rules/rule_helpers.h"

namespace ckptlint::rules {

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::string countText(std::size_t count, std::string_view singular, std::string_view plural) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural);
}

void coverKeys(Finding& finding, std::vector<std::string> keys) {
  if (!keys.empty()) finding.key = keys.front();
  finding.keys = std::move(keys);
}

std::string moduleWhere(const std::string& module) {
  return module.empty() ? "at the top level" : "under '" + module + "'";
}

std::vector<std::pair<std::string, std::vector<std::string>>> groupByTopModule(const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  std::map<std::string, std::size_t> slot;
  for (const std::string& key : keys) {
    const std::size_t dot = key.find('.');
    const std::string module = dot == std::string::npos ? "" : key.substr(0, dot);
    auto [it, inserted] = slot.emplace(module, groups.size());
    if (inserted) groups.push_back({module, {}});
    groups[it->second].second.push_back(key);
  }
  return groups;
}

}  // namespace ckptlint::rules
