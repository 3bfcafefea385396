#include "linter/cli/rule_options.h"

#include "rules/registry.h"

namespace ckptlint::cli {

void validate(boost::any& value, const std::vector<std::string>& tokens, LevelOverride*, int) {
  po::validators::check_first_occurrence(value);
  const std::string& text = po::validators::get_single_string(tokens);
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) throw po::error("a rule level is RULE=LEVEL, e.g. CKL202=error (got '" + text + "')");
  const std::string rule_name = text.substr(0, equals);
  const std::string level_name = text.substr(equals + 1);
  const Rule* rule = rules::findRule(rule_name);
  if (rule == nullptr) {
    std::vector<std::string_view> ids;
    for (const Rule& known : rules::allRules()) ids.push_back(known.info.id);
    throw po::error("level of an unknown rule '" + rule_name + "'" + didYouMean(rule_name, ids) +
                    " (see 'ckptlint rules')");
  }
  if (rule->info.id == "CKL001") throw po::error("the level of CKL001 cannot be changed: an unreadable file is never clean");
  const std::optional<Level> level = levelFromName(level_name);
  if (!level) throw po::error("unknown level '" + level_name + "' for " + std::string(rule->info.id) + " (error, warning or note)");
  value = LevelOverride{std::string(rule->info.id), *level};
}

void addRuleOptions(po::options_description& visible) {
  visible.add_options()
      ("level", po::value<std::vector<LevelOverride>>()->value_name("RULE=LEVEL"),
       "report every finding of RULE at LEVEL (error, warning or note), e.g. CKL202=error; repeatable "
       "(in a config file: a [level] section of RULE = LEVEL lines)")
      ("benign-key", po::value<std::vector<std::string>>()->value_name("GLOB"),
       "keys matching GLOB (* and ?) are not reported missing or unexpected, e.g. '*.num_batches_tracked'; "
       "repeatable")
      ("rename", po::value<std::vector<KeyRenameRule>>()->value_name("'REGEX -> REPL'"),
       "rename checkpoint keys: every match of the ECMAScript REGEX becomes REPL ($1 or \\1 for groups), "
       "rules in order (CKL106, an unsafe fix); repeatable");
}

std::optional<std::string> parseRuleOptions(const po::variables_map& options, EngineOptions& engine,
                                            RuleSettings& rules) {
  if (options.count("level") != 0) {
    for (const LevelOverride& override : options["level"].as<std::vector<LevelOverride>>()) {
      auto [place, added] = engine.level_overrides.emplace(override.rule_id, override.level);
      if (!added && place->second != override.level) {
        return "--level: " + override.rule_id + " is given two levels (" + std::string(levelName(place->second)) +
               " and " + std::string(levelName(override.level)) + ")";
      }
    }
  }
  if (options.count("benign-key") != 0) {
    for (const std::string& glob : options["benign-key"].as<std::vector<std::string>>()) {
      if (glob.empty()) return std::string("--benign-key needs a glob (got an empty one)");
      rules.benign_keys.push_back(glob);
    }
  }
  if (options.count("rename") != 0) rules.key_renames = options["rename"].as<std::vector<KeyRenameRule>>();
  return std::nullopt;
}

}  // namespace ckptlint::cli

namespace ckptlint {

void validate(boost::any& value, const std::vector<std::string>& tokens, KeyRenameRule*, int) {
  namespace po = boost::program_options;
  po::validators::check_first_occurrence(value);
  Result<KeyRenameRule> rule = parseKeyRenameRule(po::validators::get_single_string(tokens));
  if (!rule) throw po::error(rule.error().message);
  value = std::move(*rule);
}

}  // namespace ckptlint
