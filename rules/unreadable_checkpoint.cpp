// CKL001: the file could not be read. The reader's error ends the file's check, so this rule
// has nothing to inspect; the CLI reports the failure through unreadableCheckpointFinding.
#include "rules/all_rules.h"

namespace ckptlint::rules {

Rule unreadableCheckpointRule() {
  return defineRule("CKL001", "unreadable-checkpoint", Level::kError,
                    "not a checkpoint ckptlint can read: unknown format, truncated or malformed (fail closed)",
                    nullptr);
}

Finding unreadableCheckpointFinding(const std::string& file, const std::string& error) {
  Finding finding;
  finding.rule_id = "CKL001";
  finding.level = Level::kError;
  finding.file = file;
  finding.message = "cannot read the checkpoint: " + error;
  return finding;
}

std::vector<Finding> unscannedPickleFindings(const Checkpoint& checkpoint) {
  std::vector<Finding> findings;
  for (const ReadIssue& issue : checkpoint.issues) {
    if (issue.kind != ReadIssue::Kind::kUnreadablePickle) continue;
    Finding finding = unreadableCheckpointFinding(checkpoint.file, issue.message);
    finding.message = "part of the checkpoint could not be scanned, so it is not known to be safe: " + issue.message;
    findings.push_back(std::move(finding));
  }
  return findings;
}

}  // namespace ckptlint::rules
