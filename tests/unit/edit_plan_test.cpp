// The fix planner: one plan from the selected findings' fixes, conflicts left out with a reason.
#include "linter/fix/edit_plan.h"

#include <gtest/gtest.h>

namespace ckptlint::fix {
namespace {

const ObjectPath kModel{std::string("model")};

Edit rename(std::string from, std::string to) { return {Edit::Op::kRenameKey, std::move(from), std::move(to)}; }
Edit drop(std::string key) { return {Edit::Op::kDropKey, std::move(key), ""}; }

Finding finding(std::string rule, std::vector<Edit> edits, Applicability applicability = Applicability::kSafe,
                ObjectPath state_dict = kModel) {
  Finding f;
  f.rule_id = std::move(rule);
  f.state_dict = std::move(state_dict);
  Fix fix;
  fix.description = "fix of " + f.rule_id;
  fix.applicability = applicability;
  fix.edits = std::move(edits);
  f.fixes.push_back(std::move(fix));
  return f;
}

TEST(EditPlan, TakesSafeFixesOfTheStateDict) {
  const std::vector<std::string> keys{"module.a", "module.b", "extra"};
  const std::vector<Finding> findings{
      finding("CKL103", {rename("module.a", "a"), rename("module.b", "b")}),
      finding("CKL102", {drop("extra")}, Applicability::kUnsafe),
      finding("CKL103", {rename("module.a", "x")}, Applicability::kSafe, ObjectPath{std::string("ema")}),
  };
  const PlannedFixes planned = planFixes(findings, kModel, keys, /*include_unsafe=*/false);
  EXPECT_EQ(planned.plan.state_dict, kModel);
  ASSERT_EQ(planned.plan.edits.size(), 2u);
  EXPECT_EQ(planned.plan.edits[0].to, "a");
  EXPECT_EQ(planned.fixed, (std::vector<std::size_t>{0}));
  EXPECT_EQ(planned.unsafe_not_applied, 1u);
  EXPECT_TRUE(planned.skipped.empty());
  EXPECT_EQ(keysAfter(planned.plan, keys), (std::vector<std::string>{"a", "b", "extra"}));
}

TEST(EditPlan, UnsafeFixesOnRequest) {
  const std::vector<std::string> keys{"module.a", "extra"};
  const std::vector<Finding> findings{finding("CKL103", {rename("module.a", "a")}),
                                      finding("CKL102", {drop("extra")}, Applicability::kUnsafe)};
  const PlannedFixes planned = planFixes(findings, kModel, keys, /*include_unsafe=*/true);
  EXPECT_EQ(planned.fixed, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(keysAfter(planned.plan, keys), (std::vector<std::string>{"a"}));
  EXPECT_EQ(describeEdits(planned.plan.edits), "1 key renamed, 1 dropped");
  EXPECT_EQ(describeEdits({drop("x"), drop("y")}), "2 keys dropped");
  EXPECT_EQ(describeEdits({rename("x", "y")}), "1 key renamed");
  EXPECT_EQ(describeEdits({}), "no keys changed");
}

TEST(EditPlan, PrefersTheSafeFixOfAFinding) {
  Finding both = finding("CKL104", {rename("k", "unsafe.k")}, Applicability::kUnsafe);
  Fix safe;
  safe.applicability = Applicability::kSafe;
  safe.edits = {rename("k", "safe.k")};
  both.fixes.push_back(safe);
  const PlannedFixes planned = planFixes({both}, kModel, {"k"}, /*include_unsafe=*/true);
  ASSERT_EQ(planned.plan.edits.size(), 1u);
  EXPECT_EQ(planned.plan.edits[0].to, "safe.k");
}

TEST(EditPlan, IdenticalEditsFromTwoFixesAreMadeOnce) {
  const std::vector<Finding> findings{finding("CKL103", {rename("module.a", "a")}),
                                      finding("CKL104", {rename("module.a", "a"), rename("module.b", "b")})};
  const PlannedFixes planned = planFixes(findings, kModel, {"module.a", "module.b"}, false);
  EXPECT_EQ(planned.fixed.size(), 2u);
  EXPECT_EQ(planned.plan.edits.size(), 2u);
}

TEST(EditPlan, AKeyEditedTwoWaysLeavesBothFixesOut) {
  const std::vector<Finding> findings{finding("CKL103", {rename("a", "x")}), finding("CKL105", {rename("a", "y")}),
                                      finding("CKL104", {rename("b", "z")})};
  const PlannedFixes planned = planFixes(findings, kModel, {"a", "b"}, true);
  EXPECT_EQ(planned.fixed, (std::vector<std::size_t>{2}));
  ASSERT_EQ(planned.skipped.size(), 2u);
  EXPECT_EQ(planned.skipped[0].rule_id, "CKL103");
  EXPECT_NE(planned.skipped[0].reason.find("'a'"), std::string::npos) << planned.skipped[0].reason;
  const PlannedFixes rename_and_drop =
      planFixes({finding("CKL103", {rename("a", "x")}), finding("CKL102", {drop("a")})}, kModel, {"a"}, true);
  EXPECT_TRUE(rename_and_drop.plan.empty());
  EXPECT_EQ(rename_and_drop.skipped.size(), 2u);
}

TEST(EditPlan, TwoKeysOntoOneNameLeavesThemOut) {
  const std::vector<Finding> findings{finding("CKL103", {rename("module.a", "a")}),
                                      finding("CKL104", {rename("model.a", "a")})};
  const PlannedFixes planned = planFixes(findings, kModel, {"module.a", "model.a"}, false);
  EXPECT_TRUE(planned.plan.empty());
  ASSERT_EQ(planned.skipped.size(), 2u);
  EXPECT_NE(planned.skipped[1].reason.find("onto 'a'"), std::string::npos) << planned.skipped[1].reason;
}

TEST(EditPlan, ARenameOntoAKeyThatStaysIsLeftOut) {
  const PlannedFixes planned = planFixes({finding("CKL105", {rename("head.w", "w")})}, kModel, {"head.w", "w"}, true);
  EXPECT_TRUE(planned.plan.empty());
  ASSERT_EQ(planned.skipped.size(), 1u);
  EXPECT_NE(planned.skipped[0].reason.find("a key that stays"), std::string::npos) << planned.skipped[0].reason;
}

TEST(EditPlan, ChainsAndSwapsAreFine) {
  // b moves away, so a may take its name; a swap keeps every name unique.
  const PlannedFixes chain = planFixes({finding("CKL105", {rename("a", "b"), rename("b", "c")})}, kModel, {"a", "b"}, true);
  EXPECT_EQ(keysAfter(chain.plan, {"a", "b"}), (std::vector<std::string>{"b", "c"}));
  const PlannedFixes swap = planFixes({finding("CKL105", {rename("a", "b"), rename("b", "a")})}, kModel, {"a", "b"}, true);
  EXPECT_EQ(keysAfter(swap.plan, {"a", "b"}), (std::vector<std::string>{"b", "a"}));
}

TEST(EditPlan, LeavingAFixOutCanExposeAnotherConflict) {
  // Fix 2 moves 'b' out of the way of fix 3, but conflicts with fix 1 over 'b'; once 1 and 2 are
  // out, 'b' stays and fix 3's rename onto it must go too.
  const std::vector<Finding> findings{finding("CKL103", {rename("b", "x")}), finding("CKL104", {rename("b", "y")}),
                                      finding("CKL105", {rename("a", "b")})};
  const PlannedFixes planned = planFixes(findings, kModel, {"a", "b"}, true);
  EXPECT_TRUE(planned.plan.empty());
  EXPECT_EQ(planned.skipped.size(), 3u);
}

TEST(EditPlan, AFixNamingAnAbsentKeyIsLeftOut) {
  const PlannedFixes planned = planFixes({finding("CKL103", {rename("gone", "g")})}, kModel, {"a"}, false);
  EXPECT_TRUE(planned.plan.empty());
  ASSERT_EQ(planned.skipped.size(), 1u);
  EXPECT_NE(planned.skipped[0].reason.find("no key 'gone'"), std::string::npos);
}

TEST(EditPlan, FindingsWithoutFixesOrElsewhereAreIgnored) {
  Finding no_fix;
  no_fix.rule_id = "CKL201";
  no_fix.state_dict = kModel;
  Finding file_level = finding("CKL301", {rename("a", "b")});
  file_level.state_dict.reset();
  const PlannedFixes planned = planFixes({no_fix, file_level}, kModel, {"a"}, true);
  EXPECT_TRUE(planned.plan.empty());
  EXPECT_TRUE(planned.skipped.empty());
  EXPECT_EQ(planned.unsafe_not_applied, 0u);
}

}  // namespace
}  // namespace ckptlint::fix
