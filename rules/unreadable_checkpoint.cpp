// CKL001: the file could not be read. The reader's error ends the file's check, so this rule
// has nothing to inspect; the CLI reports the failure through unreadableCheckpointFinding.
#include "rules/all_rules.h"

namespace ckptlint::rules {

Rule unreadableCheckpointRule() {
  Rule rule;
  rule.info.id = "CKL001";
  rule.info.name = "unreadable-checkpoint";
  rule.info.default_level = Level::kError;
  rule.info.summary = "not a checkpoint ckptlint can read: unknown format, truncated or malformed (fail closed)";
  return rule;
}

Finding unreadableCheckpointFinding(const std::string& file, const std::string& error) {
  Finding finding;
  finding.rule_id = "CKL001";
  finding.level = Level::kError;
  finding.file = file;
  finding.message = "cannot read the checkpoint: " + error;
  return finding;
}

}  // namespace ckptlint::rules
