// CKL301/302 and CKL401/402/403 over hand-built checkpoints: which global lands where, and
// which read issue becomes which rule.
#include <gtest/gtest.h>

#include "linter/core/engine.h"
#include "rules/all_rules.h"
#include "rules/weights_only_allowlist.h"

namespace ckptlint::rules {
namespace {

std::vector<Finding> run(const Rule& rule, const Checkpoint& checkpoint, const RuleSettings* settings = nullptr) {
  const StateDictChoice choice;
  AnalysisCache cache;
  const CheckContext context{checkpoint, choice, nullptr, cache, settings};
  return runRules({rule}, context, EngineOptions{});
}

Checkpoint withGlobals(std::vector<GlobalReference> globals) {
  Checkpoint checkpoint;
  checkpoint.globals = std::move(globals);
  return checkpoint;
}

TEST(WeightsOnlyAllowlist, FollowsPyTorch2) {
  for (const char* allowed : {"torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3", "torch.FloatStorage",
                              "torch.cuda.HalfStorage", "torch.storage.UntypedStorage", "collections.OrderedDict",
                              "torch.float8_e4m3fn", "torch.bfloat16", "_codecs.encode", "builtins.set",
                              "torch.nn.parameter.Parameter", "torch.per_channel_affine", "torch.sparse.FloatTensor",
                              "torch.serialization._get_layout", "torch._tensor._rebuild_from_type_v2"}) {
    EXPECT_TRUE(isWeightsOnlyAllowed(allowed)) << allowed;
  }
  for (const char* refused : {"os.system", "builtins.eval", "torch.sparse.BoolTensor", "torch.load",
                              "torch.serialization.load", "collections.defaultdict", "torch._utils._rebuild_sparse_csr_tensor"}) {
    EXPECT_FALSE(isWeightsOnlyAllowed(refused)) << refused;
  }
}

TEST(WeightsOnlyAllowlist, WildcardsNameClassesNotFunctions) {
  EXPECT_TRUE(matchesGlobalPattern("torch.nn.modules.*", "torch.nn.modules.linear", "Linear"));
  EXPECT_FALSE(matchesGlobalPattern("torch.nn.modules.*", "torch.nn.modules.module", "register_module_forward_hook"));
  EXPECT_FALSE(matchesGlobalPattern("torch.nn.modules.*", "torch.nn.modulesx", "Linear"));
  EXPECT_FALSE(matchesGlobalPattern("torch.nn.modules.*", "torch.nn.modules.linear", "Linear.__init__"));
  EXPECT_TRUE(matchesGlobalPattern("argparse.Namespace", "argparse", "Namespace"));
  EXPECT_FALSE(matchesGlobalPattern("argparse.Namespace", "argparse.Name", "space"));
}

TEST(UnsafeGlobal, ReportsEveryNonAllowlistedGlobalOnceWithItsPlace) {
  const Checkpoint checkpoint = withGlobals({{"torch._utils", "_rebuild_tensor_v2", "data.pkl", 2},
                                             {"posix", "system", "data.pkl", 40},
                                             {"posix", "system", "data.pkl", 90},
                                             {"builtins", "eval", "extra/evil.pkl", 5},
                                             {"numpy.core.multiarray", "scalar", "data.pkl", 120}});
  const std::vector<Finding> findings = run(unsafeGlobalRule(), checkpoint);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule_id, "CKL301");
  EXPECT_EQ(findings[0].level, Level::kError);
  EXPECT_NE(findings[0].message.find("posix.system (data.pkl offset 40, 2 references in all)"), std::string::npos)
      << findings[0].message;
  EXPECT_NE(findings[0].message.find("operating system"), std::string::npos);
  EXPECT_NE(findings[1].message.find("builtins.eval (extra/evil.pkl offset 5)"), std::string::npos);
}

TEST(UnsafeGlobal, UnresolvedStackGlobalIsUnsafe) {
  const Checkpoint checkpoint = withGlobals({{"<int>", "<str>", "data.pkl", 7, false}});
  const std::vector<Finding> findings = run(unsafeGlobalRule(), checkpoint);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("STACK_GLOBAL (data.pkl offset 7)"), std::string::npos) << findings[0].message;
}

TEST(UnsafeGlobal, LocatesTheOpcodeInAStoredRecord) {
  Checkpoint checkpoint = withGlobals({{"os", "system", "data.pkl", 10}});
  checkpoint.records.push_back({"data.pkl", 100, 50, 50, 0, 0});
  const std::vector<Finding> findings = run(unsafeGlobalRule(), checkpoint);
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].bytes.has_value());
  EXPECT_EQ(findings[0].bytes->offset, 110u);
}

TEST(WeightsOnlyIncompatible, BenignGlobalsAreWarningsNotErrors) {
  const Checkpoint checkpoint = withGlobals({{"numpy.core.multiarray", "scalar", "data.pkl", 120},
                                             {"numpy", "dtype", "data.pkl", 140},
                                             {"argparse", "Namespace", "data.pkl", 160},
                                             {"torch.nn.modules.linear", "Linear", "data.pkl", 180}});
  EXPECT_TRUE(run(unsafeGlobalRule(), checkpoint).empty());
  const std::vector<Finding> findings = run(weightsOnlyIncompatibleRule(), checkpoint);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].level, Level::kWarning);
  EXPECT_NE(findings[0].message.find("add_safe_globals"), std::string::npos);
}

TEST(WeightsOnlyIncompatible, SettingsAllowAndExtendButNeverTheOperatingSystem) {
  const Checkpoint checkpoint = withGlobals({{"mylib.config", "TrainConfig", "data.pkl", 1},
                                             {"mylib.config", "Other", "data.pkl", 2},
                                             {"os", "system", "data.pkl", 3}});
  RuleSettings settings;
  settings.safe_globals = {"mylib.config.TrainConfig", "os.system"};
  settings.benign_globals = {"mylib.*"};
  EXPECT_EQ(run(weightsOnlyIncompatibleRule(), checkpoint, &settings).size(), 1u);  // Other
  const std::vector<Finding> unsafe = run(unsafeGlobalRule(), checkpoint, &settings);
  ASSERT_EQ(unsafe.size(), 1u);
  EXPECT_NE(unsafe[0].message.find("os.system"), std::string::npos);
}

TEST(IntegrityRules, EachIssueKindGoesToItsRule) {
  using Kind = ReadIssue::Kind;
  Checkpoint checkpoint;
  checkpoint.issues = {{Kind::kStorageMissing, "data/0", 0, "missing", {std::string("w")}},
                       {Kind::kStorageTooShort, "data/1", 0, "short", {}},
                       {Kind::kViewOutOfBounds, "data/2", 0, "view", {std::string("b")}},
                       {Kind::kCrcMismatch, "a/data.pkl", 0, "crc", {}},
                       {Kind::kLocalNameMismatch, "a/data.pkl", 0, "name", {}},
                       {Kind::kEncrypted, "a/data/0", 0, "encrypted", {}},
                       {Kind::kDataAfterStop, "data.pkl", 9, "after", {}},
                       {Kind::kStorageTooLong, "data/3", 0, "long", {}},
                       {Kind::kSharedObject, "", 0, "shared", {}},
                       {Kind::kUnusedStorage, "", 0, "unused", {}}};
  const std::vector<Finding> storage = run(storageRecordMissingRule(), checkpoint);
  ASSERT_EQ(storage.size(), 2u);
  EXPECT_EQ(storage[0].key, std::optional<std::string>("w"));
  const std::vector<Finding> view = run(viewOutOfBoundsRule(), checkpoint);
  ASSERT_EQ(view.size(), 1u);
  EXPECT_EQ(view[0].message, "view");
  const std::vector<Finding> archive = run(archiveInconsistencyRule(), checkpoint);
  ASSERT_EQ(archive.size(), 5u);
  EXPECT_EQ(archive[4].message, "long");
  EXPECT_EQ(archive[4].level, Level::kWarning);
  EXPECT_EQ(archive[0].level, Level::kError);
}

}  // namespace
}  // namespace ckptlint::rules
