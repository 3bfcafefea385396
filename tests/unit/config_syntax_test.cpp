// The config file's syntax (linter/cli/config_syntax.h) against Boost.Program_options' own
// parser, line numbers and errors, and where the nearest config file is; the key settings it
// carries (rename rules, benign-key globs).
#include <gtest/gtest.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <sstream>

#include "linter/cli/config_syntax.h"
#include "linter/core/key_settings.h"

namespace ckptlint {
namespace {

namespace po = boost::program_options;
using cli::ConfigEntry;
using cli::parseConfigText;

std::vector<std::pair<std::string, std::string>> keysAndValues(const std::vector<ConfigEntry>& entries) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ConfigEntry& entry : entries) out.emplace_back(entry.key, entry.value);
  return out;
}

// What Boost's parse_config_file makes of the same text, every key accepted.
std::vector<std::pair<std::string, std::string>> boostReading(const std::string& text) {
  std::istringstream in(text);
  po::options_description none;
  const po::parsed_options parsed = po::parse_config_file(in, none, /*allow_unregistered=*/true);
  std::vector<std::pair<std::string, std::string>> out;
  for (const po::option& option : parsed.options) out.emplace_back(option.string_key, option.value.at(0));
  return out;
}

TEST(ConfigSyntaxTest, ReadsWhatBoostReads) {
  for (const std::string text : {
           "select = CKL1,CKL2\n",
           "  # comment only\n\nfail-on=warning   # trailing comment\r\nmodel =  a b.json \n",
           "rename = ^backbone\\.(.*)$ -> encoder.$1\n",
           "x = a = b\n[level]\nCKL202 = error\nCKL201=note\n[other.]\nk = v",
           "key =\n\t key2\t=\tvalue\t\n",
       }) {
    Result<std::vector<ConfigEntry>> ours = parseConfigText(text, "f.cfg");
    ASSERT_TRUE(ours) << ours.error().message;
    EXPECT_EQ(keysAndValues(*ours), boostReading(text)) << text;
  }
}

TEST(ConfigSyntaxTest, KeepsLineNumbersAndSectionPrefixes) {
  Result<std::vector<ConfigEntry>> entries = parseConfigText("# top\n\nselect = CKL1\n[level]\n  CKL202 = error # why\n", "f.cfg");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].key, "select");
  EXPECT_EQ((*entries)[0].line, 3);
  EXPECT_EQ((*entries)[1].key, "level.CKL202");
  EXPECT_EQ((*entries)[1].value, "error");
  EXPECT_EQ((*entries)[1].line, 5);
}

TEST(ConfigSyntaxTest, AByteOrderMarkIsNotPartOfTheFirstKey) {
  Result<std::vector<ConfigEntry>> entries = parseConfigText("\xEF\xBB\xBFmodel = m.json\r\nselect = CKL1\r\n", "f.cfg");
  ASSERT_TRUE(entries) << entries.error().message;
  EXPECT_EQ(keysAndValues(*entries), (std::vector<std::pair<std::string, std::string>>{{"model", "m.json"}, {"select", "CKL1"}}));
  EXPECT_EQ((*entries)[1].line, 2);
}

TEST(ConfigSyntaxTest, ALineThatIsNeitherKeyNorSectionIsAnErrorAtItsLine) {
  Result<std::vector<ConfigEntry>> entries = parseConfigText("select = CKL1\nfail-on warning\n", "dir/.ckptlint.cfg");
  ASSERT_FALSE(entries);
  EXPECT_EQ(entries.error().message, "dir/.ckptlint.cfg:2: expected 'key = value' or '[section]', got 'fail-on warning'");
  EXPECT_FALSE(parseConfigText("[]\n", "f"));
  EXPECT_FALSE(parseConfigText(" = value\n", "f"));
  // Boost refuses the same lines.
  std::istringstream in("fail-on warning\n");
  EXPECT_THROW(po::parse_config_file(in, po::options_description(), true), po::invalid_syntax);
}

TEST(ConfigSyntaxTest, TheNearestConfigFileWins) {
  const std::filesystem::path root = std::filesystem::temp_directory_path() / ("ckptlint-config-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "a" / "b" / "c");
  std::ofstream(root / "a" / ".ckptlint.cfg") << "select = CKL1\n";
  EXPECT_EQ(cli::findConfigFile((root / "a" / "b" / "c").string()), (root / "a" / ".ckptlint.cfg").string());
  std::ofstream(root / "a" / "b" / ".ckptlint.cfg") << "select = CKL2\n";
  EXPECT_EQ(cli::findConfigFile((root / "a" / "b" / "c").string()), (root / "a" / "b" / ".ckptlint.cfg").string());
  EXPECT_EQ(cli::findConfigFile((root / "a").string()), (root / "a" / ".ckptlint.cfg").string());
  // Nothing from root up (unless the machine has one above the temp folder).
  if (cli::findConfigFile(std::filesystem::temp_directory_path().string()).empty()) {
    EXPECT_EQ(cli::findConfigFile(root.string()), "");
  }
  std::filesystem::remove_all(root);
}

TEST(KeySettingsTest, RenameRulesReplaceEveryMatchInOrder) {
  Result<KeyRenameRule> strip = parseKeyRenameRule("^module\\. ->");
  ASSERT_TRUE(strip) << strip.error().message;
  Result<KeyRenameRule> move = parseKeyRenameRule("^backbone\\.(.*)$ -> encoder.\\1");
  ASSERT_TRUE(move) << move.error().message;
  Result<KeyRenameRule> every = parseKeyRenameRule("_orig_mod\\. -> ");
  ASSERT_TRUE(every);
  const std::vector<KeyRenameRule> rules = {*strip, *move, *every};
  EXPECT_EQ(renameKey(rules, "module.backbone.conv.weight"), "encoder.conv.weight");
  EXPECT_EQ(renameKey(rules, "head._orig_mod.a._orig_mod.b"), "head.a.b");  // every match, as re.sub
  EXPECT_EQ(renameKey(rules, "submodule.x"), "submodule.x");
  EXPECT_EQ(move->replacement, "encoder.$1");
}

TEST(KeySettingsTest, BadRenameRulesAreRefusedWithTheReason) {
  EXPECT_FALSE(parseKeyRenameRule("^module\\."));        // no arrow
  EXPECT_FALSE(parseKeyRenameRule(" -> x"));            // no regex
  EXPECT_FALSE(parseKeyRenameRule("a->b"));             // the arrow needs blanks
  Result<KeyRenameRule> invalid = parseKeyRenameRule("^(backbone -> x");
  ASSERT_FALSE(invalid);
  EXPECT_NE(invalid.error().message.find("invalid regex '^(backbone'"), std::string::npos) << invalid.error().message;
}

TEST(KeySettingsTest, GlobsMatchWholeKeys) {
  EXPECT_TRUE(globMatches("*.num_batches_tracked", "layer1.0.bn1.num_batches_tracked"));
  EXPECT_FALSE(globMatches("*.num_batches_tracked", "num_batches_tracked"));
  EXPECT_TRUE(globMatches("*num_batches_tracked", "num_batches_tracked"));
  EXPECT_TRUE(globMatches("head.?.weight", "head.3.weight"));
  EXPECT_FALSE(globMatches("head.?.weight", "head.12.weight"));
  EXPECT_TRUE(globMatches("a*b*c", "a-x-b-y-c"));
  EXPECT_FALSE(globMatches("a*b*c", "a-x-c-y-b"));
  EXPECT_TRUE(globMatches("*", ""));
  EXPECT_FALSE(globMatches("fc.weight", "fc.weight2"));
}

}  // namespace
}  // namespace ckptlint
