// Verification of a rewritten checkpoint against the original and the plan.
#include "linter/fix/verify_rewrite.h"

#include <gtest/gtest.h>

namespace ckptlint::fix {
namespace {

const ObjectPath kModel{std::string("model")};

TensorInfo tensor(ObjectPath path, std::string storage) {
  TensorInfo info;
  info.path = std::move(path);
  info.shape = {2, 3};
  info.stride = {3, 1};
  info.storage_key = std::move(storage);
  info.storage_nbytes = 24;
  info.device = "cpu";
  return info;
}

ObjectPath under(const ObjectPath& parent, std::string key) {
  ObjectPath path = parent;
  path.emplace_back(std::move(key));
  return path;
}

// model: {keys...} with storages 0.., plus optimizer/state/0/exp_avg outside it.
Checkpoint checkpoint(const std::vector<std::string>& keys) {
  Checkpoint result;
  StateDict state_dict;
  state_dict.path = kModel;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    result.tensors.push_back(tensor(under(kModel, keys[i]), std::to_string(i)));
    state_dict.tensors.push_back(i);
    result.records.push_back({"data/" + std::to_string(i), 0, 24, 24, static_cast<uint32_t>(100 + i), 0});
  }
  result.tensors.push_back(tensor({std::string("optimizer"), std::string("state"), int64_t{0}, std::string("exp_avg")}, "9"));
  result.records.push_back({"data/9", 0, 24, 24, 999, 0});
  result.state_dicts.push_back(state_dict);
  return result;
}

EditPlan stripModule() {
  EditPlan plan;
  plan.state_dict = kModel;
  plan.edits = {{Edit::Op::kRenameKey, "module.a", "a"}, {Edit::Op::kRenameKey, "module.b", "b"}};
  return plan;
}

TEST(VerifyRewrite, ThePlanAppliedPasses) {
  EXPECT_EQ(compareWithPlan(checkpoint({"module.a", "module.b"}), checkpoint({"a", "b"}), stripModule()), std::nullopt);
  EditPlan drop = stripModule();
  drop.edits.back() = {Edit::Op::kDropKey, "module.b", ""};
  Checkpoint dropped = checkpoint({"a"});
  EXPECT_EQ(compareWithPlan(checkpoint({"module.a", "module.b"}), dropped, drop), std::nullopt);
}

TEST(VerifyRewrite, AMissedEditIsCaught) {
  auto problem = compareWithPlan(checkpoint({"module.a", "module.b"}), checkpoint({"a", "module.b"}), stripModule());
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("'module.b'"), std::string::npos) << *problem;
  EXPECT_TRUE(compareWithPlan(checkpoint({"module.a", "module.b"}), checkpoint({"a"}), stripModule()).has_value());
}

TEST(VerifyRewrite, ChangedTensorsAreCaught) {
  const Checkpoint original = checkpoint({"module.a", "module.b"});
  Checkpoint dtype = checkpoint({"a", "b"});
  dtype.tensors[1].dtype = DType::kFloat16;
  EXPECT_NE(compareWithPlan(original, dtype, stripModule()).value_or("").find("dtype"), std::string::npos);
  Checkpoint stride = checkpoint({"a", "b"});
  stride.tensors[0].stride = {1, 2};
  EXPECT_NE(compareWithPlan(original, stride, stripModule()).value_or("").find("stride"), std::string::npos);
  Checkpoint bytes = checkpoint({"a", "b"});
  bytes.records[1].crc32 = 7;
  EXPECT_NE(compareWithPlan(original, bytes, stripModule()).value_or("").find("CRC-32"), std::string::npos);
  Checkpoint outside = checkpoint({"a", "b"});
  outside.tensors.back().path.back() = std::string("exp_avg_sq");
  EXPECT_NE(compareWithPlan(original, outside, stripModule()).value_or("").find("moved"), std::string::npos);
  Checkpoint elsewhere = checkpoint({"a", "b"});
  elsewhere.state_dicts[0].path = {std::string("state_dict")};
  EXPECT_NE(compareWithPlan(original, elsewhere, stripModule()).value_or("").find("no state dict"), std::string::npos);
}

Finding found(std::string rule, std::vector<std::string> keys) {
  Finding finding;
  finding.rule_id = std::move(rule);
  finding.keys = std::move(keys);
  finding.message = "m";
  return finding;
}

TEST(VerifyRewrite, AFixedFindingStillReportedIsCaught) {
  const std::vector<Finding> fixed{found("CKL103", {"module.a", "module.b"})};
  EXPECT_EQ(findingStillReported(fixed, stripModule(), {found("CKL201", {"a"})}), std::nullopt);
  EXPECT_EQ(findingStillReported(fixed, stripModule(), {found("CKL103", {"other"})}), std::nullopt);
  EXPECT_TRUE(findingStillReported(fixed, stripModule(), {found("CKL103", {"b"})}).has_value());
  EXPECT_TRUE(findingStillReported(fixed, stripModule(), {found("CKL103", {"module.a"})}).has_value());
  auto unreadable = findingStillReported(fixed, stripModule(), {found("CKL001", {})});
  ASSERT_TRUE(unreadable.has_value());
  EXPECT_NE(unreadable->find("does not read back"), std::string::npos);
}

// A legacy original: storages named "storage:<key>", no CRC-32 (the writer converts it to zip).
Checkpoint legacy(const std::vector<std::string>& keys) {
  Checkpoint result = checkpoint(keys);
  result.format = "torch-legacy";
  for (ArchiveRecord& record : result.records) {
    record.name = "storage:" + record.name.substr(5);
    record.crc32 = 0;
  }
  return result;
}

Checkpoint zip(const std::vector<std::string>& keys) {
  Checkpoint result = checkpoint(keys);
  result.format = "torch-zip";
  return result;
}

TEST(VerifyRewrite, ALegacyFileMayComeBackAsAZip) {
  EXPECT_EQ(compareWithPlan(legacy({"module.a", "module.b"}), zip({"a", "b"}), stripModule()), std::nullopt);
  // Sizes are still compared, against the legacy storage records.
  Checkpoint shorter = zip({"a", "b"});
  shorter.records[1].size = 20;
  auto problem = compareWithPlan(legacy({"module.a", "module.b"}), shorter, stripModule());
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("data/1"), std::string::npos) << *problem;
}

TEST(VerifyRewrite, NoOtherFormatChangeIsAccepted) {
  Checkpoint as_legacy = legacy({"a", "b"});
  auto problem = compareWithPlan(zip({"module.a", "module.b"}), as_legacy, stripModule());
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("format changed from torch-zip to torch-legacy"), std::string::npos) << *problem;
  Checkpoint safetensors = checkpoint({"module.a", "module.b"});
  safetensors.format = "safetensors";
  EXPECT_TRUE(compareWithPlan(safetensors, zip({"a", "b"}), stripModule()).has_value());
}

}  // namespace
}  // namespace ckptlint::fix
