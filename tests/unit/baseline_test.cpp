// Baseline files (reports/baseline.h): the text round-trips, malformed files are refused with
// a reason, and applyBaseline marks findings and finds stale entries as documented.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/baseline.h"
#include "reports/check_summary.h"
#include "reports/fingerprint.h"
#include "sample_check_report.h"

namespace ckptlint {
namespace {

using reports::BaselineEntry;
using reports::BaselineState;
using testing::sampleReport;
using testing::sampleRules;

// The tests' file keys: "base/" + the checked path (the CLI makes them relative to the baseline).
const reports::BaselineFileKey kKeys = [](const std::string& path) { return "base/" + path; };
const auto kEveryRuleRan = [](std::string_view) { return true; };

std::vector<BaselineEntry> entriesOfSample() {
  const std::vector<Rule> rules = sampleRules();
  return reports::baselineEntries(sampleReport(rules).files, kKeys);
}

TEST(Baseline, EntriesLeaveOutUnreadableFilesAndAreSorted) {
  const std::vector<BaselineEntry> entries = entriesOfSample();
  ASSERT_EQ(entries.size(), 2u);  // CKL103 and CKL204 of the first file; CKL001 never
  EXPECT_EQ(entries[0].file, "base/models/snap shot.pt");
  EXPECT_EQ(entries[0].rule_id, "CKL103");
  EXPECT_EQ(entries[1].rule_id, "CKL204");
  const std::vector<Rule> rules = sampleRules();
  const std::vector<std::string> fingerprints = reports::findingFingerprints(sampleReport(rules).files[0].findings);
  EXPECT_EQ(entries[0].fingerprint, fingerprints[0]);  // the SARIF fingerprint, shared
}

TEST(Baseline, TextRoundTrips) {
  const std::vector<BaselineEntry> entries = entriesOfSample();
  const std::string text = reports::baselineJson(entries, "0.1.0");
  const nlohmann::json document = nlohmann::json::parse(text);
  EXPECT_EQ(document["format"], "ckptlint-baseline");
  EXPECT_EQ(document["version"], 1);
  EXPECT_EQ(document["entries"][0]["state_dict"], nlohmann::json::parse(R"(["model", 0, true])"));
  Result<std::vector<BaselineEntry>> read = reports::parseBaselineJson(text);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ((*read)[i].file, entries[i].file);
    EXPECT_EQ((*read)[i].fingerprint, entries[i].fingerprint);
    EXPECT_EQ((*read)[i].rule_id, entries[i].rule_id);
    EXPECT_EQ((*read)[i].state_dict, entries[i].state_dict);
    EXPECT_EQ((*read)[i].key, entries[i].key);
    EXPECT_EQ((*read)[i].message, entries[i].message);
  }
}

TEST(Baseline, MalformedFilesAreRefusedWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"{oops", "not JSON"},
      {"[]", "not a ckptlint baseline"},
      {R"({"format": "ckptlint-spec", "version": 1, "entries": []})", "not a ckptlint baseline"},
      {R"({"format": "ckptlint-baseline", "version": 2, "entries": []})", "unsupported baseline version 2"},
      {R"({"format": "ckptlint-baseline", "entries": []})", "unsupported baseline version"},
      {R"({"format": "ckptlint-baseline", "version": 1, "entries": {}})", "\"entries\" missing or not an array"},
      {R"({"format": "ckptlint-baseline", "version": 1, "entries": [3]})", "entry 0: not an object"},
      {R"({"format": "ckptlint-baseline", "version": 1, "entries": [{"file": "a.pt"}]})", "entry 0: \"fingerprint\""},
      {R"({"format": "ckptlint-baseline", "version": 1, "entries": [{"file": "a", "fingerprint": "f", "key": 1}]})",
       "\"key\" is not a string"},
      {R"({"format": "ckptlint-baseline", "version": 1, "entries": [{"file": "a", "fingerprint": "f", "state_dict": [1.5]}]})",
       "state_dict element"},
  };
  for (const auto& [text, reason] : cases) {
    Result<std::vector<BaselineEntry>> read = reports::parseBaselineJson(text);
    ASSERT_FALSE(read) << text;
    EXPECT_NE(read.error().message.find(reason), std::string::npos) << text << " -> " << read.error().message;
  }
  EXPECT_TRUE(reports::parseBaselineJson(R"({"format": "ckptlint-baseline", "version": 1, "entries": []})"));
}

TEST(Baseline, KnownFindingsAreHiddenNewOnesAndCkl001Shown) {
  const std::vector<Rule> rules = sampleRules();
  std::vector<BaselineEntry> entries = entriesOfSample();
  entries[1].message = "an older wording";  // same fingerprint: updated
  // A hand-made entry for the unreadable file's CKL001: never honoured.
  entries.push_back({"base//abs/broken.pt", reports::findingFingerprints({testing::unreadableFinding()})[0], "CKL001",
                     std::nullopt, std::nullopt, ""});
  reports::CheckReport report = sampleReport(rules);
  report.files[1].findings.push_back(testing::deviceFinding());  // new in clean.pt
  reports::applyBaseline(entries, kKeys, kEveryRuleRan, report);
  EXPECT_TRUE(report.with_baseline);
  EXPECT_EQ(report.files[0].baseline, (std::vector<BaselineState>{BaselineState::kUnchanged, BaselineState::kUpdated}));
  EXPECT_EQ(report.files[1].baseline, std::vector<BaselineState>{BaselineState::kNew});
  EXPECT_EQ(report.files[2].baseline, std::vector<BaselineState>{BaselineState::kNew});
  EXPECT_TRUE(report.stale_baseline.empty());  // the CKL001 entry's file was not read: proves nothing

  const reports::CheckSummary summary = reports::summarize(report);
  EXPECT_EQ(summary.findings, 2u);  // clean.pt's new warning and the CKL001
  EXPECT_EQ(summary.hidden_by_baseline, 2u);
  EXPECT_EQ(summary.files_with_findings, 2u);
  EXPECT_EQ(summary.warnings, 1u);
}

TEST(Baseline, StaleOnlyForReadFilesAndRulesThatRan) {
  const std::vector<Rule> rules = sampleRules();
  const std::vector<BaselineEntry> entries = entriesOfSample();
  reports::CheckReport report = sampleReport(rules);
  report.files[0].findings.clear();  // both problems fixed
  reports::applyBaseline(entries, kKeys, [](std::string_view rule) { return rule != "CKL204"; }, report);
  ASSERT_EQ(report.stale_baseline.size(), 1u);  // CKL204 did not run: its entry proves nothing
  EXPECT_EQ(report.stale_baseline[0].rule_id, "CKL103");
  EXPECT_EQ(report.stale_baseline[0].file, "models/snap shot.pt");  // as the run named it
  EXPECT_EQ(reports::summarize(report).stale_baseline, 1u);

  // Text: a note line and the counts; SARIF: a configuration notification, suppressions on all.
  std::ostringstream text;
  reports::writeCheckText(report, text, false);
  EXPECT_NE(text.str().find("models/snap shot.pt: note stale baseline entry CKL103"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("0 findings hidden by the baseline; 1 baseline entry no longer occurs"), std::string::npos);
  std::ostringstream sarif;
  reports::writeCheckSarif(report, sarif);
  const nlohmann::json run = nlohmann::json::parse(sarif.str())["runs"][0];
  EXPECT_EQ(run["invocations"][0]["toolConfigurationNotifications"][0]["associatedRule"]["id"], "CKL103");
  for (const nlohmann::json& result : run["results"]) {
    EXPECT_EQ(result["suppressions"], nlohmann::json::array());
    EXPECT_EQ(result["baselineState"], "new");
  }
}

TEST(Baseline, WithoutABaselineReportsCarryNoBaselineFields) {
  const std::vector<Rule> rules = sampleRules();
  std::ostringstream sarif, json;
  reports::writeCheckSarif(sampleReport(rules), sarif);
  reports::writeCheckJson(sampleReport(rules), json);
  EXPECT_EQ(sarif.str().find("suppressions"), std::string::npos);
  EXPECT_EQ(sarif.str().find("baselineState"), std::string::npos);
  EXPECT_EQ(json.str().find("baseline"), std::string::npos);
}

}  // namespace
}  // namespace ckptlint
