// `ckptlint rules [ID|NAME]`: lists the rules, or prints one rule's documentation page.
#include <cctype>
#include <iostream>

#include "linter/cli/command_table.h"
#include "reports/rule_list.h"
#include "rules/registry.h"

namespace ckptlint::cli {

void addRulesOptions(po::options_description& visible, po::options_description& hidden,
                     po::positional_options_description& positional) {
  visible.add_options()("format,f", po::value<std::string>()->default_value("text")->value_name("FMT"),
                        "output format: text or json");
  hidden.add_options()("rule", po::value<std::vector<std::string>>(), "rule id or name");
  positional.add("rule", -1);
}

namespace {

// Ids are upper case, names lower case; accept either spelled the other way ("ckl103").
const Rule* findRuleAnyCase(const std::string& wanted) {
  if (const Rule* rule = rules::findRule(wanted)) return rule;
  std::string upper = wanted;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string lower = wanted;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (const Rule* rule = rules::findRule(upper)) return rule;
  return rules::findRule(lower);
}

ExitStatus unknownRule(const std::string& wanted) {
  std::vector<std::string_view> candidates;
  for (const Rule& rule : rules::allRules()) {
    candidates.push_back(rule.info.id);
    candidates.push_back(rule.info.name);
  }
  return reportError("unknown rule '" + wanted + "'" + didYouMean(wanted, candidates) + " (see 'ckptlint rules')");
}

}  // namespace

ExitStatus runRules(const po::variables_map& options) {
  const std::string format = options["format"].as<std::string>();
  if (format != "text" && format != "json") {
    return reportError("unknown --format '" + format + "' for rules (use text or json)");
  }
  const bool json = format == "json";
  if (options.count("rule") == 0) {
    json ? reports::writeRuleListJson(rules::allRules(), std::cout)
         : reports::writeRuleListText(rules::allRules(), std::cout);
  } else {
    const auto& wanted = options["rule"].as<std::vector<std::string>>();
    if (wanted.size() != 1) return reportError("rules takes at most one rule id or name");
    const Rule* rule = findRuleAnyCase(wanted.front());
    if (rule == nullptr) return unknownRule(wanted.front());
    json ? reports::writeRuleDocJson(rule->info, std::cout) : reports::writeRuleDocText(rule->info, std::cout);
  }
  std::cout.flush();
  if (!std::cout) return reportError("cannot write the output");
  return ExitStatus::kClean;
}

}  // namespace ckptlint::cli
