// How `_metadata` module prefixes follow key edits (fix/module_prefixes.h).
#include "linter/fix/module_prefixes.h"

#include <gtest/gtest.h>

namespace ckptlint::fix {
namespace {

using Names = std::vector<std::optional<std::string>>;

EditPlan stripPlan(const std::vector<std::string>& keys, const std::string& prefix) {
  EditPlan plan;
  for (const std::string& key : keys) {
    if (key.rfind(prefix, 0) == 0) plan.edits.push_back({Edit::Op::kRenameKey, key, key.substr(prefix.size())});
  }
  return plan;
}

TEST(ModulePrefixes, StrippingDataParallelGivesTheUnwrappedModelsEntries) {
  const std::vector<std::string> keys = {"module.conv.weight", "module.bn.weight", "module.bn.num_batches_tracked",
                                         "module.head.0.weight"};
  const std::vector<std::string> prefixes = {"", "module", "module.conv", "module.bn", "module.relu", "module.head",
                                             "module.head.0"};
  // DataParallel's own '' entry gives way to the wrapped model's root; the ReLU (no keys) follows its parent.
  EXPECT_EQ(mapModulePrefixes(prefixes, keys, stripPlan(keys, "module.")),
            (Names{std::nullopt, "", "conv", "bn", "relu", "head", "head.0"}));
}

TEST(ModulePrefixes, AddingAPrefixMovesEveryEntryUnderIt) {
  const std::vector<std::string> keys = {"conv.weight", "fc.bias"};
  EditPlan plan;
  for (const std::string& key : keys) plan.edits.push_back({Edit::Op::kRenameKey, key, "model." + key});
  EXPECT_EQ(mapModulePrefixes({"", "conv", "fc", "act"}, keys, plan), (Names{"model", "model.conv", "model.fc", "model.act"}));
}

TEST(ModulePrefixes, InfixWrappersAndPartialRenames) {
  // torch.compile's _orig_mod. in the middle of keys; only the backbone was compiled.
  const std::vector<std::string> keys = {"backbone._orig_mod.conv.weight", "head.weight"};
  EditPlan plan;
  plan.edits.push_back({Edit::Op::kRenameKey, "backbone._orig_mod.conv.weight", "backbone.conv.weight"});
  EXPECT_EQ(mapModulePrefixes({"", "backbone", "backbone._orig_mod", "backbone._orig_mod.conv", "head"}, keys, plan),
            (Names{"", std::nullopt, "backbone", "backbone.conv", "head"}));
}

TEST(ModulePrefixes, ARenamedSubmoduleMovesAloneItsParentStays) {
  const std::vector<std::string> keys = {"head.fc.weight", "head.norm.weight"};
  EditPlan plan;
  plan.edits.push_back({Edit::Op::kRenameKey, "head.fc.weight", "classifier.fc.weight"});
  EXPECT_EQ(mapModulePrefixes({"", "head", "head.fc", "head.norm"}, keys, plan),
            (Names{"", "head", "classifier.fc", "head.norm"}));
}

TEST(ModulePrefixes, EntriesOfDroppedModulesGo) {
  const std::vector<std::string> keys = {"conv.weight", "aux.weight", "aux.bias"};
  EditPlan plan;
  plan.edits.push_back({Edit::Op::kDropKey, "aux.weight", ""});
  plan.edits.push_back({Edit::Op::kDropKey, "aux.bias", ""});
  EXPECT_EQ(mapModulePrefixes({"", "conv", "aux", "aux.act"}, keys, plan), (Names{"", "conv", std::nullopt, std::nullopt}));
}

TEST(ModulePrefixes, TwoEntriesRenamedOntoOneNameBothGo) {
  const std::vector<std::string> keys = {"a.x.weight", "b.x.bias"};
  EditPlan plan;
  plan.edits.push_back({Edit::Op::kRenameKey, "a.x.weight", "x.weight"});
  plan.edits.push_back({Edit::Op::kRenameKey, "b.x.bias", "x.bias"});
  EXPECT_EQ(mapModulePrefixes({"a.x", "b.x"}, keys, plan), (Names{std::nullopt, std::nullopt}));
}

TEST(ModulePrefixes, AnEmptyPlanChangesNothing) {
  const std::vector<std::string> keys = {"0.weight", "1.running_mean"};
  EXPECT_EQ(mapModulePrefixes({"", "0", "1", "2"}, keys, EditPlan{}), (Names{"", "0", "1", "2"}));
}

}  // namespace
}  // namespace ckptlint::fix
