// A CheckReport with findings of several shapes (a fix with both edit kinds, no key, no state
// dict, a byte range, a non-string state-dict path, hostile characters), shared by the report
// unit tests and the tool that writes a sample SARIF log for schema validation.
#pragma once

#include <string>
#include <vector>

#include "reports/check_report.h"

namespace ckptlint::testing {

inline std::vector<Rule> sampleRules() {
  std::vector<Rule> rules(3);
  rules[0].info = {"CKL001", "unreadable-checkpoint", Level::kError, "the file cannot be read",
                   "# CKL001 unreadable-checkpoint\n\nThe file is not a checkpoint.\n\n## How to fix\nRe-copy it.\n"};
  rules[1].info = {"CKL103", "wrapper-prefix", Level::kError, "keys carry a wrapper prefix",
                   "# CKL103 wrapper-prefix\n\nKeys carry a `module.` prefix\nfrom DataParallel.\n\n"
                   "## Example\n```python\nmodel = DataParallel(net)\n```\n"};
  rules[2].info = {"CKL204", "device-location", Level::kWarning, "storages saved on an accelerator", ""};
  return rules;
}

inline Finding wrapperPrefixFinding() {
  Finding finding;
  finding.rule_id = "CKL103";
  finding.level = Level::kError;
  finding.message = "keys carry the wrapper prefix 'module.'";
  finding.file = "models/snap shot.pt";
  finding.state_dict = ObjectPath{std::string("model"), int64_t{0}, true};
  finding.key = "module.conv1.weight";
  finding.keys = {"module.conv1.weight", "module.conv1.bias"};
  Fix strip;
  strip.description = "strip 'module.' (whole segments)";
  strip.applicability = Applicability::kSafe;
  strip.edits = {{Edit::Op::kRenameKey, "module.conv1.weight", "conv1.weight"},
                 {Edit::Op::kRenameKey, "module.conv1.bias", "conv1.bias"}};
  Fix drop;
  drop.description = "drop 1 key";
  drop.applicability = Applicability::kUnsafe;
  drop.edits = {{Edit::Op::kDropKey, "module.conv1.bias", ""}};
  finding.fixes = {strip, drop};
  return finding;
}

inline Finding deviceFinding() {
  Finding finding;
  finding.rule_id = "CKL204";
  finding.level = Level::kWarning;
  finding.message = "2 tensors were saved on 'cuda:1'\nline two, 100% sure";
  finding.file = "models/snap shot.pt";
  finding.state_dict = ObjectPath{};  // the root is the state dict
  finding.key = "a,b:c";
  finding.keys = {"a,b:c"};
  finding.bytes = ByteRange{1234, 56};
  return finding;
}

inline Finding unreadableFinding() {
  Finding finding;
  finding.rule_id = "CKL001";
  finding.level = Level::kError;
  finding.message = "truncated: no zip central directory";
  finding.file = "/abs/broken.pt";
  return finding;
}

/// Three files: one with a fixable error and a warning, one clean, one unreadable.
inline reports::CheckReport sampleReport(const std::vector<Rule>& rules) {
  reports::CheckReport report;
  report.rules = &rules;
  report.tool_version = "0.1.0";
  report.command_line = {"ckptlint", "check", "models/snap shot.pt", "clean.pt", "/abs/broken.pt"};
  report.exit_code = 2;
  report.execution_successful = false;
  report.files.push_back({"models/snap shot.pt", {wrapperPrefixFinding(), deviceFinding()},
                          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"});
  report.files.push_back({"./clean.pt", {}, ""});
  report.files.push_back({"/abs/broken.pt", {unreadableFinding()}, ""});
  return report;
}

}  // namespace ckptlint::testing
