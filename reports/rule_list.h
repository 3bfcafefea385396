// Reports of `ckptlint rules`: the rule list (text table or JSON) and one rule's page.
#pragma once

#include <ostream>
#include <vector>

#include "linter/core/rule.h"

namespace ckptlint::reports {

/// One line per rule: id, name, default level, summary; columns aligned.
void writeRuleListText(const std::vector<Rule>& rules, std::ostream& out);
/// [{"id", "name", "level", "summary", "needs_model", "needs_values", "help_uri"}, ...]
void writeRuleListJson(const std::vector<Rule>& rules, std::ostream& out);
/// The rule's documentation page; a title and the summary when it has none.
void writeRuleDocText(const RuleInfo& rule, std::ostream& out);
/// The list's object for one rule plus "doc" (the page, markdown).
void writeRuleDocJson(const RuleInfo& rule, std::ostream& out);

}  // namespace ckptlint::reports
