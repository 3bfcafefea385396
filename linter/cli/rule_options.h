// The options that configure rules beyond selecting them, usually set in the config file:
// per-rule levels (--level / [level]), benign keys (--benign-key) and key rename rules
// (--rename, CKL106).
#pragma once

#include <optional>
#include <string>

#include "linter/cli/command_table.h"
#include "linter/core/engine.h"
#include "linter/core/rule.h"

namespace ckptlint::cli {

/// --level ID=LEVEL (a rule id or name; error, warning or note). CKL001 cannot be changed: an
/// unreadable file is never clean.
struct LevelOverride {
  std::string rule_id;
  Level level = Level::kError;
};

/// Program_options' hook for --level values (and a config file's [level] entries).
void validate(boost::any& value, const std::vector<std::string>& tokens, LevelOverride*, int);

void addRuleOptions(po::options_description& visible);

/// Reads --level, --benign-key and --rename into the engine and rule settings.
std::optional<std::string> parseRuleOptions(const po::variables_map& options, EngineOptions& engine,
                                            RuleSettings& rules);

}  // namespace ckptlint::cli

namespace ckptlint {
/// Program_options' hook for --rename values ("REGEX -> REPLACEMENT"); found through ADL.
void validate(boost::any& value, const std::vector<std::string>& tokens, KeyRenameRule*, int);
}  // namespace ckptlint
