// The rule registry: every rule, in one list. Its order is stable and is SARIF's ruleIndex.
#pragma once

#include <string_view>
#include <vector>

#include "linter/core/rule.h"

namespace ckptlint::rules {

const std::vector<Rule>& allRules();
const Rule* findRule(std::string_view id_or_name);

/// The rule's documentation page (docs/rules/ID.md, compiled in); empty when it has none.
std::string_view ruleDoc(std::string_view id);

}  // namespace ckptlint::rules
