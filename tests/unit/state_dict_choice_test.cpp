// Which state dict `check` takes without --state-dict: the model's weights over EMA copies and
// other alternates (with a note), a guess between equals flagged as ambiguous.
#include <gtest/gtest.h>

#include "linter/core/engine.h"
#include "linter/core/state_dict_roles.h"

namespace ckptlint {
namespace {

Checkpoint withStateDicts(const std::vector<std::string>& keys) {
  Checkpoint checkpoint;
  for (const std::string& key : keys) {
    StateDict state_dict;
    state_dict.path = ObjectPath{key};
    checkpoint.state_dicts.push_back(state_dict);
  }
  return checkpoint;  // in the order given: the walker sorts by role, these tests pass them sorted
}

TEST(StateDictRoles, ByTheKeyTheStateDictSitsUnder) {
  EXPECT_EQ(stateDictRole({}), StateDictRole::kRoot);
  for (const char* key : {"model", "state_dict", "model_state_dict", "module", "net", "pose"}) {
    EXPECT_EQ(stateDictRole(ObjectPath{std::string(key)}), StateDictRole::kModel) << key;
  }
  for (const char* key : {"ema", "state_dict_ema", "model_ema", "detector"}) {
    EXPECT_EQ(stateDictRole(ObjectPath{std::string(key)}), StateDictRole::kAlternate) << key;
  }
  EXPECT_EQ(stateDictRole(ObjectPath{std::string("extra")}), StateDictRole::kOther);
  EXPECT_EQ(stateDictRole(ObjectPath{std::string("x"), std::string("model")}), StateDictRole::kModel);
  EXPECT_EQ(stateDictRole(ObjectPath{int64_t{0}}), StateDictRole::kOther);
}

TEST(ChooseStateDict, TheModelsWeightsOverTheirEmaCopyWithANote) {
  const Checkpoint checkpoint = withStateDicts({"state_dict", "state_dict_ema"});
  const StateDictChoice choice = chooseStateDict(checkpoint, std::nullopt);
  ASSERT_NE(choice.chosen, nullptr);
  EXPECT_EQ(choice.chosen->path, ObjectPath{std::string("state_dict")});
  EXPECT_FALSE(choice.ambiguous);
  EXPECT_NE(choice.problem.find("passed over"), std::string::npos) << choice.problem;
  EXPECT_NE(choice.problem.find("state_dict_ema"), std::string::npos) << choice.problem;
}

TEST(ChooseStateDict, TwoModelWeightsAreAGuess) {
  const StateDictChoice choice = chooseStateDict(withStateDicts({"model", "state_dict"}), std::nullopt);
  EXPECT_TRUE(choice.ambiguous);
  EXPECT_NE(choice.problem.find("several state dicts could be meant"), std::string::npos) << choice.problem;
}

TEST(ChooseStateDict, OneCandidateOrAnExplicitChoiceIsQuiet) {
  const StateDictChoice one = chooseStateDict(withStateDicts({"model"}), std::nullopt);
  EXPECT_TRUE(one.problem.empty());
  const Checkpoint both = withStateDicts({"state_dict", "state_dict_ema"});
  const StateDictChoice wanted = chooseStateDict(both, ObjectPath{std::string("state_dict_ema")});
  ASSERT_NE(wanted.chosen, nullptr);
  EXPECT_EQ(wanted.chosen->path, ObjectPath{std::string("state_dict_ema")});
  EXPECT_TRUE(wanted.problem.empty());
}

}  // namespace
}  // namespace ckptlint
