// The --diff / --apply part of the check report: text lines and the JSON "fix" member.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/check_report.h"
#include "sample_check_report.h"

namespace ckptlint {
namespace {

// The report points at its rules: they live as long as the tests.
reports::CheckReport sample() {
  static const std::vector<Rule> rules = testing::sampleRules();
  return testing::sampleReport(rules);
}

reports::CheckReport withFixes(reports::FileFixes fixes) {
  reports::CheckReport report = sample();
  fixes.state_dict = {std::string("model")};
  fixes.edits = {{Edit::Op::kRenameKey, "module.a", "a"}, {Edit::Op::kDropKey, "aux\n.w", ""}};
  fixes.fixed_findings = 2;
  fixes.skipped = {{"CKL105", "rename 'x.' to 'y.'", "2 keys would be renamed onto 'y.w'"}};
  report.files.front().fixes = std::move(fixes);
  return report;
}

std::string text(const reports::CheckReport& report) {
  std::ostringstream out;
  reports::writeCheckText(report, out, false);
  return out.str();
}

nlohmann::json fixJson(const reports::CheckReport& report) {
  std::ostringstream out;
  reports::writeCheckJson(report, out);
  return nlohmann::json::parse(out.str())["files"][0]["fix"];
}

TEST(FixReport, DiffListsEveryEditAndSkippedFix) {
  reports::FileFixes fixes;
  fixes.diff_only = true;
  const reports::CheckReport report = withFixes(fixes);
  const std::string out = text(report);
  EXPECT_NE(out.find("--apply would fix 2 findings in state dict model (1 key renamed, 1 dropped):"), std::string::npos) << out;
  EXPECT_NE(out.find("    module.a \u2192 a\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    drop aux\\x0a.w\n"), std::string::npos) << out;  // a crafted key cannot fake a line
  EXPECT_NE(out.find("skipped CKL105 fix (rename 'x.' to 'y.'): 2 keys would be renamed onto 'y.w'"), std::string::npos);
  const nlohmann::json fix = fixJson(report);
  EXPECT_EQ(fix["mode"], "diff");
  EXPECT_EQ(fix["state_dict"], nlohmann::json::array({"model"}));
  EXPECT_EQ(fix["edits"][0], nlohmann::json({{"op", "rename-key"}, {"from", "module.a"}, {"to", "a"}}));
  EXPECT_EQ(fix["edits"][1], nlohmann::json({{"op", "drop-key"}, {"key", "aux\n.w"}}));
  EXPECT_EQ(fix["fixed_findings"], 2);
  EXPECT_EQ(fix["skipped"][0]["rule"], "CKL105");
  EXPECT_TRUE(fix["written"].is_null());
  EXPECT_TRUE(fix["error"].is_null());
}

TEST(FixReport, ApplySaysWhatWasWrittenOrWhyNot) {
  reports::FileFixes fixes;
  fixes.written = "snap.pt";
  fixes.backup = "snap.pt.bak";
  fixes.notes = {".format_version dropped"};
  const reports::CheckReport applied = withFixes(fixes);
  const std::string out = text(applied);
  EXPECT_NE(out.find(": fixed 2 findings in state dict model: 1 key renamed, 1 dropped; wrote snap.pt (backup snap.pt.bak)"),
            std::string::npos) << out;
  EXPECT_NE(out.find("    note: .format_version dropped"), std::string::npos);
  nlohmann::json fix = fixJson(applied);
  EXPECT_EQ(fix["mode"], "apply");
  EXPECT_EQ(fix["backup"], "snap.pt.bak");
  EXPECT_EQ(fix["notes"][0], ".format_version dropped");

  reports::FileFixes failed;
  failed.error = "verification failed: key 3 is 'b'";
  const reports::CheckReport rolled_back = withFixes(failed);
  EXPECT_NE(text(rolled_back).find("fixes not applied, the file is unchanged: verification failed"), std::string::npos);
  fix = fixJson(rolled_back);
  EXPECT_EQ(fix["error"], "verification failed: key 3 is 'b'");
  EXPECT_TRUE(fix["written"].is_null());
}

TEST(FixReport, NothingForACleanFileWithNothingToFix) {
  reports::CheckReport report = sample();
  reports::FileResult clean;
  clean.file = "clean.pt";
  clean.fixes.emplace();
  report.files = {clean};
  EXPECT_EQ(text(report).find("clean.pt"), std::string::npos) << text(report);
}

}  // namespace
}  // namespace ckptlint
