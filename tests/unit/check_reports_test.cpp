// The four `ckptlint check` reporters on one sample report: JSON read back field by field,
// text lines, GitHub escaping, and the SARIF fields that schema validation cannot see
// (indices, URIs, fingerprints). Schema validity itself is the CTest case reports.sarif_schema.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sample_check_report.h"

namespace ckptlint {
namespace {

using nlohmann::json;
using testing::sampleReport;
using testing::sampleRules;

std::string text(const reports::CheckReport& report, bool color = false) {
  std::ostringstream out;
  reports::writeCheckText(report, out, color);
  return out.str();
}

json jsonOf(const reports::CheckReport& report) {
  std::ostringstream out;
  reports::writeCheckJson(report, out);
  return json::parse(out.str());
}

json sarifOf(const reports::CheckReport& report) {
  std::ostringstream out;
  reports::writeCheckSarif(report, out);
  return json::parse(out.str());
}

std::string github(const reports::CheckReport& report) {
  std::ostringstream out;
  reports::writeCheckGithub(report, out);
  return out.str();
}

TEST(CheckJson, EveryFindingFieldReadsBack) {
  const std::vector<Rule> rules = sampleRules();
  const json document = jsonOf(sampleReport(rules));
  EXPECT_EQ(document["version"], 1);
  ASSERT_EQ(document["files"].size(), 3u);
  const json& file = document["files"][0];
  EXPECT_EQ(file["file"], "models/snap shot.pt");
  EXPECT_EQ(file["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ASSERT_EQ(file["findings"].size(), 2u);

  const json& prefix = file["findings"][0];
  EXPECT_EQ(prefix["rule"], "CKL103");
  EXPECT_EQ(prefix["name"], "wrapper-prefix");
  EXPECT_EQ(prefix["level"], "error");
  EXPECT_EQ(prefix["message"], "keys carry the wrapper prefix 'module.'");
  EXPECT_EQ(prefix["state_dict"], json::parse(R"(["model", 0, true])"));
  EXPECT_EQ(prefix["key"], "module.conv1.weight");
  EXPECT_EQ(prefix["keys"], json::parse(R"(["module.conv1.weight", "module.conv1.bias"])"));
  EXPECT_FALSE(prefix.contains("bytes"));
  ASSERT_EQ(prefix["fixes"].size(), 2u);
  const json strip = json::parse(R"json({"applicability": "safe",
      "description": "strip 'module.' (whole segments)",
      "edits": [{"op": "rename-key", "from": "module.conv1.weight", "to": "conv1.weight"},
                {"op": "rename-key", "from": "module.conv1.bias", "to": "conv1.bias"}]})json");
  const json drop = json::parse(R"({"applicability": "unsafe", "description": "drop 1 key",
      "edits": [{"op": "drop-key", "key": "module.conv1.bias"}]})");
  EXPECT_EQ(prefix["fixes"][0], strip);
  EXPECT_EQ(prefix["fixes"][1], drop);

  const json& device = file["findings"][1];
  EXPECT_EQ(device["level"], "warning");
  EXPECT_EQ(device["message"], "2 tensors were saved on 'cuda:1'\nline two, 100% sure");
  EXPECT_EQ(device["state_dict"], json::array());
  EXPECT_EQ(device["bytes"], json::parse(R"({"offset": 1234, "length": 56})"));
  EXPECT_EQ(device["fixes"], json::array());

  EXPECT_EQ(document["files"][1]["findings"], json::array());
  EXPECT_FALSE(document["files"][1].contains("sha256"));
  const json& unreadable = document["files"][2]["findings"][0];
  EXPECT_TRUE(unreadable["state_dict"].is_null());
  EXPECT_TRUE(unreadable["key"].is_null());
  EXPECT_EQ(unreadable["keys"], json::array());
}

TEST(CheckJson, SummaryCounts) {
  const std::vector<Rule> rules = sampleRules();
  const json summary = jsonOf(sampleReport(rules))["summary"];
  EXPECT_EQ(summary["files"], 3);
  EXPECT_EQ(summary["files_with_findings"], 2);
  EXPECT_EQ(summary["findings"], 3);
  EXPECT_EQ(summary["errors"], 2);
  EXPECT_EQ(summary["warnings"], 1);
  EXPECT_EQ(summary["notes"], 0);
  EXPECT_EQ(summary["fail_on"], "error");
  EXPECT_EQ(summary["at_or_above_fail_on"], 2);
  EXPECT_EQ(summary["fixable"], 1);
  EXPECT_EQ(summary["fixable_unsafe"], 0);
  EXPECT_EQ(summary["exit_code"], 2);
  EXPECT_EQ(summary["execution_successful"], false);
}

TEST(CheckText, FindingLinesDetailsAndSummary) {
  const std::vector<Rule> rules = sampleRules();
  const std::string out = text(sampleReport(rules));
  EXPECT_NE(out.find("models/snap shot.pt: error CKL103 [wrapper-prefix] keys carry the wrapper prefix 'module.'\n"
                     "    state dict: model/0/True\n"
                     "    keys: module.conv1.weight, module.conv1.bias\n"
                     "    fix (safe): strip 'module.' (whole segments)\n"
                     "    fix (unsafe): drop 1 key\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    state dict: (root)\n    key: a,b:c\n    bytes: 56 at offset 1234\n"), std::string::npos) << out;
  EXPECT_NE(out.find("/abs/broken.pt: error CKL001 [unreadable-checkpoint] truncated"), std::string::npos) << out;
  EXPECT_NE(out.find("\nFound 3 problems (2 errors, 1 warning) in 2 of 3 files; 1 with a safe fix; "
                     "2 at or above --fail-on=error.\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("clean.pt"), std::string::npos) << "files without findings print nothing";
  EXPECT_EQ(out.find('\033'), std::string::npos) << "no colour unless asked";
}

TEST(CheckText, NewlinesInMessagesCannotFakeLines) {
  const std::vector<Rule> rules = sampleRules();
  const std::string out = text(sampleReport(rules));
  EXPECT_NE(out.find("saved on 'cuda:1'\\x0aline two"), std::string::npos) << out;
  EXPECT_EQ(out.find("\nline two"), std::string::npos) << out;
}

TEST(CheckText, ColourOnlyWhenAsked) {
  const std::vector<Rule> rules = sampleRules();
  const std::string out = text(sampleReport(rules), true);
  EXPECT_NE(out.find("\033[1;31merror\033[0m"), std::string::npos) << out;
  EXPECT_NE(out.find("\033[1;33mwarning\033[0m"), std::string::npos) << out;
}

TEST(CheckText, CleanRunAndUnsafeOnlyFixes) {
  const std::vector<Rule> rules = sampleRules();
  reports::CheckReport report = sampleReport(rules);
  report.files = {{"clean.pt", {}, ""}};
  EXPECT_EQ(text(report), "All checks passed (1 file).\n");

  Finding finding = testing::wrapperPrefixFinding();
  finding.fixes.erase(finding.fixes.begin());  // only the unsafe fix is left
  report.files = {{"a.pt", {finding}, ""}};
  report.fail_on_never = true;
  const std::string out = text(report);
  EXPECT_NE(out.find("Found 1 problem (1 error) in 1 file; 1 with only unsafe fixes.\n"),
            std::string::npos)
      << out;
}

TEST(CheckGithub, Escaping) {
  EXPECT_EQ(reports::escapeGithubData("100% a\r\nb:c,d"), "100%25 a%0D%0Ab:c,d");
  EXPECT_EQ(reports::escapeGithubProperty("100% a\r\nb:c,d"), "100%25 a%0D%0Ab%3Ac%2Cd");
}

TEST(CheckGithub, ControlBytesOfKeysNeverReachTheLogRaw) {
  const std::vector<Rule> rules = sampleRules();
  reports::CheckReport report = sampleReport(rules);
  Finding finding = testing::unreadableFinding();
  finding.message = std::string("key 'a\x1b[31mred\0b'", 17);
  report.files = {{"x.pt", {finding}, ""}};
  const std::string out = github(report);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\0'), std::string::npos) << out;
}

TEST(CheckGithub, OneCommandPerFinding) {
  const std::vector<Rule> rules = sampleRules();
  reports::CheckReport report = sampleReport(rules);
  Finding note = testing::unreadableFinding();
  note.level = Level::kNote;
  report.files.push_back({"dir,x:y.pt", {note}, ""});
  EXPECT_EQ(github(report),
            "::error file=models/snap shot.pt,title=CKL103 wrapper-prefix::keys carry the wrapper prefix 'module.'"
            "%0Afix (safe): strip 'module.' (whole segments)%0Afix (unsafe): drop 1 key\n"
            // A newline inside a message (a key may hold one) is shown escaped, as in the text
            // report; only the fix lines ckptlint adds start new annotation lines.
            "::warning file=models/snap shot.pt,title=CKL204 device-location::2 tensors were saved on 'cuda:1'"
            "\\x0aline two, 100%25 sure\n"
            "::error file=/abs/broken.pt,title=CKL001 unreadable-checkpoint::truncated: no zip central directory\n"
            "::notice file=dir%2Cx%3Ay.pt,title=CKL001 unreadable-checkpoint::truncated: no zip central directory\n");
}

TEST(CheckSarif, DriverRulesFromRegistryAndDocs) {
  const std::vector<Rule> rules = sampleRules();
  const json log = sarifOf(sampleReport(rules));
  EXPECT_EQ(log["version"], "2.1.0");
  const json& driver = log["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "ckptlint");
  EXPECT_EQ(driver["version"], "0.1.0");
  ASSERT_EQ(driver["rules"].size(), 3u);
  const json& rule = driver["rules"][1];
  EXPECT_EQ(rule["id"], "CKL103");
  EXPECT_EQ(rule["name"], "wrapper-prefix");
  EXPECT_EQ(rule["shortDescription"]["text"], "keys carry a wrapper prefix");
  EXPECT_EQ(rule["fullDescription"]["text"], "Keys carry a `module.` prefix from DataParallel.");
  EXPECT_EQ(rule["help"]["markdown"], rules[1].info.doc);
  EXPECT_EQ(rule["help"]["text"].get<std::string>().find('`'), std::string::npos);
  EXPECT_NE(rule["help"]["text"].get<std::string>().find("model = DataParallel(net)\n"), std::string::npos);
  EXPECT_EQ(rule["helpUri"], "https://github.com/ckptlint/ckptlint/blob/main/docs/rules/CKL103.md");
  EXPECT_EQ(rule["defaultConfiguration"]["level"], "error");
  // A rule without a page still has every text GitHub requires.
  EXPECT_EQ(driver["rules"][2]["fullDescription"]["text"], "storages saved on an accelerator");
  EXPECT_EQ(driver["rules"][2]["help"]["text"], "storages saved on an accelerator");
}

TEST(CheckSarif, ResultsLocationsAndArtifacts) {
  const std::vector<Rule> rules = sampleRules();
  const json run = sarifOf(sampleReport(rules))["runs"][0];
  const json& artifacts = run["artifacts"];
  ASSERT_EQ(artifacts.size(), 3u);
  EXPECT_EQ(artifacts[0]["location"]["uri"], "models/snap%20shot.pt");
  EXPECT_EQ(artifacts[0]["hashes"]["sha-256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(artifacts[1]["location"]["uri"], "clean.pt");
  EXPECT_FALSE(artifacts[1].contains("hashes"));
  EXPECT_EQ(artifacts[2]["location"]["uri"], "file:///abs/broken.pt");

  const json& invocation = run["invocations"][0];
  EXPECT_EQ(invocation["exitCode"], 2);
  EXPECT_EQ(invocation["executionSuccessful"], false);
  EXPECT_EQ(invocation["commandLine"], "ckptlint check 'models/snap shot.pt' clean.pt /abs/broken.pt");

  const json& results = run["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["ruleId"], "CKL103");
  EXPECT_EQ(results[0]["ruleIndex"], 1);
  EXPECT_EQ(results[0]["level"], "error");
  const json& location = results[0]["locations"][0];
  EXPECT_EQ(location["physicalLocation"]["artifactLocation"]["index"], 0);
  EXPECT_EQ(location["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_EQ(location["logicalLocations"][0]["fullyQualifiedName"], "model/0/True/module.conv1.weight");
  EXPECT_EQ(location["logicalLocations"][0]["kind"], "member");
  EXPECT_EQ(results[0]["properties"]["fixes"], jsonOf(sampleReport(rules))["files"][0]["findings"][0]["fixes"]);
  EXPECT_EQ(results[0]["properties"]["stateDict"], json::parse(R"(["model", 0, true])"));

  EXPECT_EQ(results[1]["ruleIndex"], 2);
  EXPECT_EQ(results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "a,b:c");
  EXPECT_EQ(results[1]["relatedLocations"][0]["physicalLocation"]["region"],
            json::parse(R"({"byteOffset": 1234, "byteLength": 56})"));

  EXPECT_EQ(results[2]["ruleIndex"], 0);
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["index"], 2);
  EXPECT_FALSE(results[2]["locations"][0].contains("logicalLocations"));
}

std::string fingerprint(const Finding& finding, const std::string& file = "a.pt") {
  const std::vector<Rule> rules = sampleRules();
  reports::CheckReport report = sampleReport(rules);
  report.files = {{file, {finding}, ""}};
  return sarifOf(report)["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"];
}

TEST(CheckSarif, FingerprintsIgnoreWordingPathAndKeyOrder) {
  const Finding finding = testing::wrapperPrefixFinding();
  const std::string base = fingerprint(finding);
  EXPECT_EQ(base.substr(base.size() - 2), ":1");
  Finding reworded = finding;
  reworded.message = "other words";
  reworded.fixes.clear();
  reworded.bytes = ByteRange{1, 2};
  std::reverse(reworded.keys.begin(), reworded.keys.end());
  EXPECT_EQ(fingerprint(reworded, "/elsewhere/b.pt"), base);

  Finding other_key = finding;
  other_key.keys.push_back("module.fc.weight");
  EXPECT_NE(fingerprint(other_key), base);
  Finding other_state_dict = finding;
  other_state_dict.state_dict = ObjectPath{std::string("model"), std::string("0"), true};
  EXPECT_NE(fingerprint(other_state_dict), base);
}

// A finding that covers no key (CKL301's global) is told apart by its message, numbers aside:
// else a baselined harmless global hid a new os.system in the same file.
TEST(CheckSarif, FindingsWithoutKeysAreToldApartByTheirMessageNotItsNumbers) {
  Finding harmless;
  harmless.rule_id = "CKL103";  // a rule of the sample registry; the rule does not matter here
  harmless.message = "the pickle references __main__.Config (data.pkl offset 248)";
  Finding dangerous = harmless;
  dangerous.message = "the pickle references posix.system (data.pkl offset 248)";
  EXPECT_NE(fingerprint(dangerous), fingerprint(harmless));
  Finding moved = harmless;
  moved.message = "the pickle references __main__.Config (data.pkl offset 31337, 2 references in all)";
  Finding once = harmless;
  once.message = "the pickle references __main__.Config (data.pkl offset 7, 1 references in all)";
  EXPECT_EQ(fingerprint(moved), fingerprint(once));
  Finding record_0 = harmless;
  record_0.message = "record archive/data/0 fails its CRC-32 at offset 64";
  Finding record_1 = record_0;
  record_1.message = "record archive/data/1 fails its CRC-32 at offset 64";
  EXPECT_NE(fingerprint(record_0), fingerprint(record_1));  // digits inside a name count
}

TEST(CheckSarif, RepeatedFindingsGetOccurrenceNumbers) {
  const std::vector<Rule> rules = sampleRules();
  reports::CheckReport report = sampleReport(rules);
  report.files = {{"a.pt", {testing::unreadableFinding(), testing::unreadableFinding()}, ""}};
  const json results = sarifOf(report)["runs"][0]["results"];
  const std::string first = results[0]["partialFingerprints"]["primaryLocationLineHash"];
  const std::string second = results[1]["partialFingerprints"]["primaryLocationLineHash"];
  EXPECT_EQ(first.substr(0, first.size() - 2) + ":2", second);
}

}  // namespace
}  // namespace ckptlint
