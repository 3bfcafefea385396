// The key rules (CKL101-105, CKL201, CKL202, CKL204) on hand-built checkpoints and models:
// root causes absorb their symptoms, fixes never create duplicates, ambiguity is not fixed.
#include <gtest/gtest.h>

#include <algorithm>

#include "linter/core/engine.h"
#include "rules/key_summary.h"
#include "rules/registry.h"

namespace ckptlint {
namespace {

struct Key {
  std::string name;
  std::vector<int64_t> shape = {4};
  DType dtype = DType::kFloat32;
};

class KeyRulesTest : public ::testing::Test {
 protected:
  void checkpointKeys(const std::vector<Key>& keys, ObjectPath at = {}) {
    checkpoint_.file = "snapshot.pt";
    StateDict state_dict;
    state_dict.path = at;
    for (const Key& key : keys) {
      TensorInfo tensor;
      tensor.path = at;
      tensor.path.push_back(key.name);
      tensor.shape = key.shape;
      tensor.dtype = key.dtype;
      tensor.device = "cpu";
      state_dict.tensors.push_back(checkpoint_.tensors.size());
      checkpoint_.tensors.push_back(tensor);
    }
    checkpoint_.state_dicts.push_back(state_dict);
  }

  void modelKeys(const std::vector<Key>& keys) {
    model_.emplace();
    for (const Key& key : keys) model_->entries.push_back({key.name, key.shape, key.dtype, ModelEntry::Kind::kParameter});
  }

  std::vector<Finding> run() {
    const StateDictChoice choice = chooseStateDict(checkpoint_, std::nullopt);
    AnalysisCache cache;
    const CheckContext context{checkpoint_, choice, model_ ? &*model_ : nullptr, cache, &settings_};
    return runRules(rules::allRules(), context, engine_);
  }

  static std::vector<std::string> rulesOf(const std::vector<Finding>& findings) {
    std::vector<std::string> ids;
    for (const Finding& finding : findings) ids.push_back(finding.rule_id);
    return ids;
  }

  static std::vector<std::pair<std::string, std::string>> renames(const Finding& finding) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const Fix& fix : finding.fixes) {
      for (const Edit& edit : fix.edits) pairs.emplace_back(edit.from, edit.to);
    }
    return pairs;
  }

  void renameRules(const std::vector<std::string>& rules) {
    for (const std::string& text : rules) {
      Result<KeyRenameRule> rule = parseKeyRenameRule(text);
      ASSERT_TRUE(rule) << rule.error().message;
      settings_.key_renames.push_back(std::move(*rule));
    }
  }

  Checkpoint checkpoint_;
  std::optional<ModelSpec> model_;
  RuleSettings settings_;  // config: benign keys, rename rules
  EngineOptions engine_;   // config: level overrides
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST_F(KeyRulesTest, MatchingKeysGiveNoFindings) {
  checkpointKeys({{"conv.weight"}, {"conv.bias"}});
  modelKeys({{"conv.weight"}, {"conv.bias"}});
  EXPECT_TRUE(run().empty());
}

TEST_F(KeyRulesTest, DataParallelPrefixIsOneWrapperFindingNotHundredsOfMissingKeys) {
  checkpointKeys({{"module.conv.weight"}, {"module.conv.bias"}, {"module.fc.weight"}});
  modelKeys({{"conv.weight"}, {"conv.bias"}, {"fc.weight"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL103"});
  EXPECT_EQ(renames(findings[0]),
            (Pairs{{"module.conv.weight", "conv.weight"}, {"module.conv.bias", "conv.bias"}, {"module.fc.weight", "fc.weight"}}));
  EXPECT_EQ(findings[0].fixes[0].applicability, Applicability::kSafe);
  EXPECT_NE(findings[0].message.find("resolves 3 of 3 missing keys"), std::string::npos) << findings[0].message;
}

TEST_F(KeyRulesTest, StackedAndInfixWrappersAreStrippedAsWholeSegments) {
  checkpointKeys({{"module.module.a.weight"}, {"backbone._orig_mod.layer.weight"}, {"submodule.weight"}});
  modelKeys({{"a.weight"}, {"backbone.layer.weight"}, {"submodule.weight"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL103", "CKL103"}));
  EXPECT_EQ(renames(findings[0]), (Pairs{{"module.module.a.weight", "a.weight"}}));
  EXPECT_EQ(renames(findings[1]), (Pairs{{"backbone._orig_mod.layer.weight", "backbone.layer.weight"}}));
}

TEST_F(KeyRulesTest, ModuleInTheMiddleOfAKeyIsNeverStripped) {
  checkpointKeys({{"encoder.module.weight"}});
  modelKeys({{"encoder.weight"}});
  const auto ids = rulesOf(run());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL103"), 0);
}

TEST_F(KeyRulesTest, WithoutAModelEveryKeyWrappedIsStillAFinding) {
  checkpointKeys({{"module.a.weight"}, {"module.b.weight"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL103"});
  EXPECT_EQ(renames(findings[0]), (Pairs{{"module.a.weight", "a.weight"}, {"module.b.weight", "b.weight"}}));
}

TEST_F(KeyRulesTest, WithoutAModelPartlyWrappedKeysAreLeftAlone) {
  checkpointKeys({{"module.a.weight"}, {"b.weight"}});
  EXPECT_TRUE(run().empty());
}

TEST_F(KeyRulesTest, WithoutAModelAStripThatWouldDuplicateAKeyIsNotProposed) {
  checkpointKeys({{"_orig_mod.a.weight"}, {"a.weight"}});
  EXPECT_TRUE(run().empty());
}

TEST_F(KeyRulesTest, LightningPrefixIsStrippedAndExpectedPrefixIsAdded) {
  checkpointKeys({{"model.conv.weight"}, {"model.conv.bias"}});
  modelKeys({{"conv.weight"}, {"conv.bias"}});
  auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL104"});
  EXPECT_EQ(renames(findings[0]), (Pairs{{"model.conv.weight", "conv.weight"}, {"model.conv.bias", "conv.bias"}}));

  checkpoint_ = {};
  checkpointKeys({{"conv.weight"}, {"conv.bias"}});
  modelKeys({{"net.conv.weight"}, {"net.conv.bias"}});
  findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL104"});
  EXPECT_EQ(renames(findings[0]), (Pairs{{"conv.weight", "net.conv.weight"}, {"conv.bias", "net.conv.bias"}}));
}

TEST_F(KeyRulesTest, RenamedSubmoduleIsAnUnsafeRename) {
  checkpointKeys({{"backbone.weight"}, {"head.weight", {5, 8}}, {"head.bias", {5}}});
  modelKeys({{"backbone.weight"}, {"keypoint_head.weight", {5, 8}}, {"keypoint_head.bias", {5}}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL105"});
  EXPECT_EQ(findings[0].fixes[0].applicability, Applicability::kUnsafe);
  EXPECT_EQ(renames(findings[0]), (Pairs{{"head.weight", "keypoint_head.weight"}, {"head.bias", "keypoint_head.bias"}}));
}

TEST_F(KeyRulesTest, APrefixSomeMatchingKeysAlsoCarryIsAGuessNotAStrip) {
  // head.heatmap.* match as they are, so stripping 'head.' from head.locref.* is per key.
  checkpointKeys({{"head.heatmap.weight"}, {"head.locref.weight", {2}}, {"head.locref.bias", {3}}});
  modelKeys({{"head.heatmap.weight"}, {"locref.weight", {2}}, {"locref.bias", {3}}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL105"});
  EXPECT_EQ(findings[0].fixes[0].applicability, Applicability::kUnsafe);
  EXPECT_EQ(renames(findings[0]), (Pairs{{"head.locref.weight", "locref.weight"}, {"head.locref.bias", "locref.bias"}}));
}

TEST_F(KeyRulesTest, ARenameThatCouldGoTwoWaysIsNotMade) {
  checkpointKeys({{"x.w"}});
  modelKeys({{"p.w"}, {"q.w"}});
  auto ids = rulesOf(run());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL105"), 0);

  checkpoint_ = {};
  checkpointKeys({{"x.w"}});
  modelKeys({{"w"}, {"p.w"}});  // strip 'x.' (safe) or rename 'x.' to 'p.': a coin flip
  ids = rulesOf(run());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL104"), 0);  // at most the unsafe suffix pairing
}

TEST_F(KeyRulesTest, TwoWrappedKeysOntoOneTargetAreNeitherStripped) {
  checkpointKeys({{"module.fc.w"}, {"_orig_mod.fc.w"}});
  modelKeys({{"fc.w"}});
  const auto ids = rulesOf(run());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL103"), 0);
}

TEST_F(KeyRulesTest, WithoutAModelOnlyOrigModIsStrippedWhenNotEveryKeyIsWrapped) {
  checkpointKeys({{"module._orig_mod.conv.weight"}, {"head.weight"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL103"});
  EXPECT_EQ(renames(findings[0]), (Pairs{{"module._orig_mod.conv.weight", "module.conv.weight"}}));
}

TEST_F(KeyRulesTest, EmptySegmentsSurviveAStrip) {
  checkpointKeys({{"module..w"}, {"module.x"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL103"});
  EXPECT_EQ(renames(findings[0]), (Pairs{{"module..w", ".w"}, {"module.x", "x"}}));
}

TEST_F(KeyRulesTest, ManyLookalikeKeysAgainstTheWrongModelStayFast) {
  // The wrong model for the checkpoint: every key ends in '.weight' on both sides. Each
  // candidate rename ties with hundreds of others; all are rejected in bounded rounds.
  std::vector<Key> checkpoint, model;
  for (int i = 0; i < 2000; ++i) checkpoint.push_back({"layer" + std::to_string(i) + ".weight"});
  for (int i = 0; i < 64; ++i) model.push_back({"fc" + std::to_string(i) + ".weight"});
  checkpointKeys(checkpoint);
  modelKeys(model);
  const auto ids = rulesOf(run());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL105"), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL104"), 0);
}

TEST_F(KeyRulesTest, DottedSuffixPairsOnlyWhenUnambiguous) {
  // deep.er.path.than.four.layer.weight pairs with layer.weight (prefix too long for CKL104).
  checkpointKeys({{"a.b.c.d.e.layer.weight", {3}}, {"x.conv.weight", {2}}, {"y.conv.weight", {2}}});
  modelKeys({{"layer.weight", {3}}, {"conv.weight", {2}}});
  const auto findings = run();
  const auto ids = rulesOf(findings);
  ASSERT_EQ(std::count(ids.begin(), ids.end(), "CKL105"), 1);
  const Finding& renamed = *std::find_if(findings.begin(), findings.end(), [](const Finding& f) { return f.rule_id == "CKL105"; });
  EXPECT_EQ(renames(renamed), (Pairs{{"a.b.c.d.e.layer.weight", "layer.weight"}}));
  // conv.weight has two equally long candidates: reported as missing/unexpected, not guessed.
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "CKL101"), 1);
  EXPECT_GE(std::count(ids.begin(), ids.end(), "CKL102"), 1);
}

TEST_F(KeyRulesTest, LeftoversAreMissingAndUnexpectedGroupedByModule) {
  checkpointKeys({{"conv.weight"}, {"extra.a"}, {"extra.b"}});
  modelKeys({{"conv.weight"}, {"layer1.0.w"}, {"layer2.0.w"}, {"layer3.0.w"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL101", "CKL101", "CKL101", "CKL102"}));
  EXPECT_EQ(findings[3].keys, (std::vector<std::string>{"extra.a", "extra.b"}));
  EXPECT_EQ(findings[3].fixes[0].edits[0].op, Edit::Op::kDropKey);
}

TEST_F(KeyRulesTest, ShapeMismatchNamesDimensionAndOutputLayerCause) {
  checkpointKeys({{"backbone.weight", {8, 3}}, {"head.weight", {17, 8}}, {"head.bias", {17}}});
  modelKeys({{"backbone.weight", {8, 3}}, {"head.weight", {5, 8}}, {"head.bias", {5}}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL201", "CKL201"}));
  EXPECT_EQ(findings[0].key, "head.weight");
  EXPECT_NE(findings[0].message.find("[17, 8]"), std::string::npos);
  EXPECT_NE(findings[0].message.find("only dimension 0 differs (17 in the checkpoint, 5 in the model)"), std::string::npos);
  EXPECT_NE(findings[0].message.find("different number of outputs"), std::string::npos);
}

TEST_F(KeyRulesTest, EveryMismatchedTrailingHeadIsAnOutputLayer) {
  // DeepLabCut: heatmap and locref heads both end the model; a mismatch inside the backbone
  // followed by matching modules is not an output-layer problem.
  checkpointKeys({{"backbone.conv.weight", {8, 3}}, {"backbone.fc.weight", {4, 8}},
                  {"head.heatmap.weight", {16, 8}}, {"head.locref.weight", {16, 16}}});
  modelKeys({{"backbone.conv.weight", {9, 3}}, {"backbone.fc.weight", {4, 8}},
             {"head.heatmap.weight", {16, 5}}, {"head.locref.weight", {16, 10}}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL201", "CKL201", "CKL201"}));
  EXPECT_EQ(findings[0].message.find("different number of outputs"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[1].message.find("different number of outputs"), std::string::npos) << findings[1].message;
  EXPECT_NE(findings[2].message.find("different number of outputs"), std::string::npos) << findings[2].message;
}

TEST_F(KeyRulesTest, OneElementVectorIntoScalarIsAcceptedLikeTorch) {
  checkpointKeys({{"scale", {1}}});
  modelKeys({{"scale", {}}});
  EXPECT_TRUE(run().empty());
}

TEST_F(KeyRulesTest, DtypeMismatchIsOneWarningPerCast) {
  checkpointKeys({{"a", {4}, DType::kFloat16}, {"b", {4}, DType::kFloat16}, {"c", {4}, DType::kFloat32}});
  modelKeys({{"a"}, {"b"}, {"c"}});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL202"});
  EXPECT_EQ(findings[0].level, Level::kWarning);
  EXPECT_EQ(findings[0].keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(findings[0].message.find("from float16 to float32"), std::string::npos);
}

TEST_F(KeyRulesTest, NumBatchesTrackedIsMissingOnlyWhenTorchWouldNotFillIt) {
  checkpointKeys({{"bn.weight"}});
  modelKeys({{"bn.weight"}, {"bn.num_batches_tracked", {}, DType::kInt64}});
  EXPECT_TRUE(run().empty());  // no _metadata: BatchNorm fills the counter itself
  checkpoint_.state_dicts[0].module_versions["bn"] = 2;
  EXPECT_EQ(rulesOf(run()), std::vector<std::string>{"CKL101"});
}

TEST_F(KeyRulesTest, DeviceLocationIsReportedPerDevice) {
  checkpointKeys({{"a"}, {"b"}});
  checkpoint_.tensors[1].device = "cuda:1";
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL204"});
  EXPECT_NE(findings[0].message.find("'cuda:1'"), std::string::npos);
}

TEST_F(KeyRulesTest, NoStateDictIsCKL002) {
  checkpoint_.file = "empty.pt";
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL002"});
  EXPECT_EQ(findings[0].level, Level::kError);
}

// Configured key settings (config file / --rename, --benign-key, --level).

TEST_F(KeyRulesTest, ConfiguredRenamesComeBeforeGuessesAndAbsorbMissingAndUnexpected) {
  checkpointKeys({{"backbone.conv.weight"}, {"backbone.conv.bias"}, {"head.weight"}});
  modelKeys({{"encoder.conv.weight"}, {"encoder.conv.bias"}, {"head.weight"}});
  renameRules({"^backbone\\.(.*)$ -> encoder.$1"});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL106"});  // not CKL104/105, not CKL101/102
  ASSERT_EQ(findings[0].fixes.size(), 1u);
  EXPECT_EQ(findings[0].fixes[0].applicability, Applicability::kUnsafe);
  EXPECT_EQ(renames(findings[0]), (Pairs{{"backbone.conv.weight", "encoder.conv.weight"},
                                         {"backbone.conv.bias", "encoder.conv.bias"}}));
  EXPECT_NE(findings[0].message.find("resolves 2 of 2 missing keys"), std::string::npos) << findings[0].message;
}

TEST_F(KeyRulesTest, AConfiguredRenameNeverTouchesAKeyThatAlreadyMatches) {
  checkpointKeys({{"module.a"}, {"b"}});
  modelKeys({{"a"}, {"b"}});
  renameRules({"^ -> module."});  // would move every key, "b" too
  const auto findings = run();
  // "b" matches as it is; "module.a" -> "module.module.a" pairs with nothing: left to CKL103.
  EXPECT_EQ(rulesOf(findings), std::vector<std::string>{"CKL103"});
}

TEST_F(KeyRulesTest, AConfiguredRenameOntoAnExistingKeyOrTwoOntoOneIsRefused) {
  checkpointKeys({{"x.w"}, {"w"}, {"p.v"}, {"q.v"}, {"solo.k"}});
  renameRules({"^(x|p|q)\\. -> ", "^solo\\.k$ -> "});  // no model: every rename is listed
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL106", "CKL106", "CKL106"}));
  EXPECT_TRUE(findings[0].fixes.empty()) << findings[0].message;  // x.w -> w: "w" stays
  EXPECT_NE(findings[0].message.find("already has"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[0].keys, std::vector<std::string>{"x.w"});
  EXPECT_EQ(findings[0].level, Level::kWarning);
  EXPECT_NE(findings[1].message.find("several keys"), std::string::npos) << findings[1].message;
  EXPECT_EQ(findings[1].keys, (std::vector<std::string>{"p.v", "q.v"}));
  EXPECT_NE(findings[2].message.find("empty"), std::string::npos) << findings[2].message;
  for (const Finding& finding : findings) EXPECT_TRUE(finding.fixes.empty());
}

// std::regex recurses per character: a hostile 300,000-character key once crashed the run.
TEST_F(KeyRulesTest, AKeyTooLongForTheRenameRulesIsRefusedNotCrashed) {
  const std::string hostile = std::string(300000, 'a') + ".w";
  checkpointKeys({{hostile}, {"b.w"}, {"c.w"}});
  renameRules({"^(.*)\\.w$ -> $1.weight", "^c\\. -> "});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL106", "CKL106"}));
  EXPECT_EQ(renames(findings[0]), (Pairs{{"b.w", "b.weight"}, {"c.w", "weight"}}));
  EXPECT_TRUE(findings[1].fixes.empty());
  EXPECT_EQ(findings[1].keys, std::vector<std::string>{hostile});
  EXPECT_NE(findings[1].message.find("longer than 1024 characters"), std::string::npos);
  EXPECT_LT(findings[1].message.size(), 400u) << "the key is cut short in the message";
}

// Python's re.sub('^.', 'x', 'é.w') gives 'x.w'; std::regex works on bytes and would leave
// half of the 'é', a key torch.load cannot decode.
TEST_F(KeyRulesTest, ARenameThatWouldSplitAUtf8CharacterIsRefused) {
  checkpointKeys({{"\xC3\xA9.w"}, {"ab.w"}});
  renameRules({"^. -> x"});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL106", "CKL106"}));
  EXPECT_EQ(renames(findings[0]), (Pairs{{"ab.w", "xb.w"}}));
  EXPECT_TRUE(findings[1].fixes.empty());
  EXPECT_EQ(findings[1].keys, std::vector<std::string>{"\xC3\xA9.w"});
  EXPECT_NE(findings[1].message.find("not be valid UTF-8"), std::string::npos) << findings[1].message;
}

TEST_F(KeyRulesTest, ARuleThatKeepsLengtheningAKeyStopsBeforeTheNextRuleOverflows) {
  checkpointKeys({{"ab.w"}});
  // Each rule multiplies the length by about 50: the third rule would get 13,000 characters.
  const std::string widen = "x* -> " + std::string(50, 'y');
  renameRules({widen, widen, widen, "^(y|a|b)*$ -> z"});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL106"});
  EXPECT_TRUE(findings[0].fixes.empty());
  EXPECT_NE(findings[0].message.find("longer than 1024"), std::string::npos) << findings[0].message;
}

TEST_F(KeyRulesTest, ConfiguredRenamesWithoutAModelAreAFixAndTakeKeysFromTheWrapperRule) {
  checkpointKeys({{"module.backbone.a"}, {"module.head.b"}});
  renameRules({"^module\\.backbone\\. -> encoder."});
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), (std::vector<std::string>{"CKL103", "CKL106"}));
  EXPECT_EQ(renames(findings[0]), (Pairs{{"module.head.b", "head.b"}}));
  EXPECT_EQ(renames(findings[1]), (Pairs{{"module.backbone.a", "encoder.a"}}));
}

TEST_F(KeyRulesTest, BenignKeysAreNeitherMissingNorUnexpectedButStillTakePartInPrefixes) {
  checkpointKeys({{"module.bn.weight"}, {"module.bn.num_batches_tracked", {}, DType::kInt64},
                  {"extra.num_batches_tracked", {}, DType::kInt64}});
  // Shapes differ, so no guess pairs the two leftover counters with each other.
  modelKeys({{"bn.weight"}, {"bn.num_batches_tracked", {}, DType::kInt64}, {"other.num_batches_tracked", {1}, DType::kInt64}});
  checkpoint_.state_dicts[0].module_versions["other"] = 2;  // torch would not fill it: missing
  EXPECT_EQ(rulesOf(run()), (std::vector<std::string>{"CKL101", "CKL102", "CKL103"}));
  settings_.benign_keys = {"*.num_batches_tracked"};
  const auto findings = run();
  ASSERT_EQ(rulesOf(findings), std::vector<std::string>{"CKL103"});
  // The wrapper strip still renames the benign counter with its module.
  EXPECT_EQ(renames(findings[0]), (Pairs{{"module.bn.weight", "bn.weight"},
                                         {"module.bn.num_batches_tracked", "bn.num_batches_tracked"}}));
}

TEST_F(KeyRulesTest, ALevelOverrideChangesEveryFindingOfThatRule) {
  checkpointKeys({{"fc.weight", {4}, DType::kFloat16}, {"fc.bias", {4}, DType::kFloat16}});
  modelKeys({{"fc.weight"}, {"fc.bias"}});
  ASSERT_EQ(rulesOf(run()), std::vector<std::string>{"CKL202"});
  EXPECT_EQ(run()[0].level, Level::kWarning);
  engine_.level_overrides["CKL202"] = Level::kError;
  EXPECT_EQ(run()[0].level, Level::kError);
  engine_.level_overrides["CKL202"] = Level::kNote;
  EXPECT_EQ(run()[0].level, Level::kNote);
}

TEST(KeySummaryTest, CollapsesLayerIndicesExactly) {
  EXPECT_EQ(rules::summarizeKeys({"layer1.0.conv1.weight", "layer2.0.conv1.weight", "layer3.0.conv1.weight",
                                  "layer4.0.conv1.weight"}),
            "layer{1..4}.0.conv1.weight");
  EXPECT_EQ(rules::summarizeKeys({"fc.weight", "fc.bias"}), "fc.{bias,weight}");
  EXPECT_EQ(rules::summarizeKeys({"a.weight"}), "a.weight");
  EXPECT_EQ(rules::summarizeKeys({"a1", "a3"}), "a{1,3}");
}

TEST(KeySummaryTest, KeysWithBraceSyntaxAreShownAsTheyAre) {
  EXPECT_EQ(rules::summarizeKeys({"m.a,b", "m.c"}), "m.c, m.a,b");
  EXPECT_EQ(rules::summarizeKeys({"m.{1..3}", "m.4"}), "m.4, m.{1..3}");
}

TEST(KeySummaryTest, AVeryLongKeyIsShownWithoutMerging) {
  std::string key = "a";
  for (int i = 0; i < 4000; ++i) key += ".a";
  EXPECT_EQ(rules::summarizeKeys({key}), key);
}

TEST(KeySummaryTest, LongListsEndWithACount) {
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) keys.push_back("k" + std::to_string(i) + "x.w" + std::to_string(i));
  const std::string text = rules::summarizeKeys(keys, 3);
  EXPECT_NE(text.find("and 7 more"), std::string::npos) << text;
}

TEST(RuleSelectionTest, MoreSpecificEntryWins) {
  RuleSelection selection;
  selection.ignore = {"CKL1"};
  selection.select = {"CKL101"};
  EXPECT_TRUE(selection.selects("CKL101"));
  EXPECT_FALSE(selection.selects("CKL102"));
  EXPECT_FALSE(selection.selects("CKL201"));
  selection.select.clear();
  EXPECT_TRUE(selection.selects("CKL201"));
  EXPECT_FALSE(selection.selects("CKL103"));
}

}  // namespace
}  // namespace ckptlint
