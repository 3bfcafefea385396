#include "rules/registry.h"

#include "rules/all_rules.h"

namespace ckptlint::rules {

const std::vector<Rule>& allRules() {
  static const std::vector<Rule> kRules = [] {
    std::vector<Rule> rules = {
        unreadableCheckpointRule(),
        stateDictNotFoundRule(),
        missingKeyRule(),
        unexpectedKeyRule(),
        wrapperPrefixRule(),
        prefixMismatchRule(),
        renamedKeyRule(),
        configuredRenameRule(),
        shapeMismatchRule(),
        dtypeMismatchRule(),
        nonFiniteValuesRule(),
        deviceLocationRule(),
        unsafeGlobalRule(),
        weightsOnlyIncompatibleRule(),
        storageRecordMissingRule(),
        viewOutOfBoundsRule(),
        archiveInconsistencyRule(),
        optimizerStateMismatchRule(),
    };
    for (Rule& rule : rules) rule.info.doc = ruleDoc(rule.info.id);
    return rules;
  }();
  return kRules;
}

const Rule* findRule(std::string_view id_or_name) {
  for (const Rule& rule : allRules()) {
    if (rule.info.id == id_or_name || rule.info.name == id_or_name) return &rule;
  }
  return nullptr;
}

}  // namespace ckptlint::rules
