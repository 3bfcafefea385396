// From an EditPlan to pickle edits on a DeepLabCut-style snapshot: the state dict nested under
// 'model', its `_metadata` following the renames, everything else untouched.
#include "linter/fix/state_dict_edits.h"

#include <gtest/gtest.h>

#include "linter/formats/containers.h"
#include "tests/unit/pickle_builder.h"

namespace ckptlint::fix {
namespace {

using pickle::Value;
using testing::PickleBuilder;

// {'model': OrderedDict(module.0.weight=1, module.1.bias=2) with _metadata
//  {'': v1, 'module': v1, 'module.0': v1, 'module.1': v2}, 'epoch': 7}
// as CPython pickles it: 'version' is memoized in the first _metadata entry and read back later.
std::string snapshot() {
  PickleBuilder b;
  b.emptyDict().binput(0).mark();
  b.unicode("model").binput(1).global("collections", "OrderedDict").binput(2).emptyTuple().reduce().binput(3);
  b.mark().unicode("module.0.weight").binput(4).binint1(1).unicode("module.1.bias").binput(5).binint1(2).setitems();
  b.emptyDict().binput(6).unicode("_metadata").binput(7).binget(2).emptyTuple().reduce().binput(8).mark();
  b.unicode("").binput(9).emptyDict().binput(10).unicode("version").binput(11).binint1(1).setitem();
  b.unicode("module").binput(12).emptyDict().binput(13).binget(11).binint1(1).setitem();
  b.unicode("module.0").binput(14).emptyDict().binput(15).binget(11).binint1(1).setitem();
  b.unicode("module.1").binput(16).emptyDict().binput(17).binget(11).binint1(2).setitem();
  b.setitems().setitem().build();
  b.unicode("epoch").binput(18).binint1(7);
  b.setitems().stop();
  return b.bytes();
}

struct Rewritten {
  Result<StateDictPickleEdits> edits = makeError("not run");
  std::string bytes;
};

Rewritten rewriteWith(const std::string& bytes, const EditPlan& plan) {
  Rewritten out;
  pickle::PickleTrace trace;
  Result<pickle::Pickle> parsed = pickle::readPickle(bytes, 0, {}, &trace);
  EXPECT_TRUE(parsed.ok());
  out.edits = planPickleEdits(*parsed, trace, plan);
  if (!out.edits) return out;
  Result<pickle::PickleRewrite> rewritten = pickle::rewritePickle(bytes, 0, *parsed, trace, out.edits->edits);
  EXPECT_TRUE(rewritten.ok()) << rewritten.error().message;
  if (rewritten) out.bytes = rewritten->bytes;
  return out;
}

std::vector<std::pair<std::string, int64_t>> entriesOf(const Value& mapping) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& [key, value] : *formats::asMapping(mapping)) {
    const Value* version = value->kind == pickle::ValueKind::kInt ? value : formats::lookup(*formats::asMapping(*value), "version");
    out.emplace_back(key->text, version->integer);
  }
  return out;
}

EditPlan stripModule() {
  EditPlan plan;
  plan.state_dict = {std::string("model")};
  plan.edits = {{Edit::Op::kRenameKey, "module.0.weight", "0.weight"}, {Edit::Op::kRenameKey, "module.1.bias", "1.bias"}};
  return plan;
}

TEST(StateDictEdits, NestedStateDictAndItsMetadataFollowTheStrip) {
  Rewritten out = rewriteWith(snapshot(), stripModule());
  ASSERT_TRUE(out.edits.ok()) << out.edits.error().message;
  Result<pickle::Pickle> reread = pickle::readPickle(out.bytes);
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  const Value* model = formats::lookup(*formats::asMapping(*reread->root()), "model");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(entriesOf(*model), (std::vector<std::pair<std::string, int64_t>>{{"0.weight", 1}, {"1.bias", 2}}));
  const Value* metadata = formats::moduleMetadata(*model);
  ASSERT_NE(metadata, nullptr);
  // DataParallel's '' entry (which defined the shared 'version' string) is gone; the model's own follow.
  EXPECT_EQ(entriesOf(*metadata), (std::vector<std::pair<std::string, int64_t>>{{"", 1}, {"0", 1}, {"1", 2}}));
  const Value* epoch = formats::lookup(*formats::asMapping(*reread->root()), "epoch");
  ASSERT_NE(epoch, nullptr);
  EXPECT_EQ(epoch->integer, 7);
  ASSERT_EQ(out.edits->notes.size(), 2u);
}

TEST(StateDictEdits, PlansNamingWhatIsNotThereAreRefused) {
  EditPlan plan = stripModule();
  plan.state_dict = {std::string("optimizer")};
  Rewritten missing_dict = rewriteWith(snapshot(), plan);
  ASSERT_FALSE(missing_dict.edits.ok());
  EXPECT_NE(missing_dict.edits.error().message.find("is not in data.pkl"), std::string::npos);

  plan = stripModule();
  plan.edits.push_back({Edit::Op::kDropKey, "module.2.weight", ""});
  Rewritten missing_key = rewriteWith(snapshot(), plan);
  ASSERT_FALSE(missing_key.edits.ok());
  EXPECT_NE(missing_key.edits.error().message.find("has no key 'module.2.weight'"), std::string::npos);

  plan = stripModule();
  plan.edits[1].to = "0.weight";
  Rewritten duplicate = rewriteWith(snapshot(), plan);
  ASSERT_FALSE(duplicate.edits.ok());
  EXPECT_NE(duplicate.edits.error().message.find("'0.weight' twice"), std::string::npos);
}

TEST(StateDictEdits, AnEmptyPlanChangesNoByte) {
  EditPlan plan;
  plan.state_dict = {std::string("model")};
  Rewritten out = rewriteWith(snapshot(), plan);
  ASSERT_TRUE(out.edits.ok());
  EXPECT_EQ(out.bytes, snapshot());
}

}  // namespace
}  // namespace ckptlint::fix
