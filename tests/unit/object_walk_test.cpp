// Tensor recognition and the object walk, on pickles written opcode by opcode.
#include "linter/formats/object_walk.h"

#include <gtest/gtest.h>

#include "linter/pickle/reader.h"
#include "tests/unit/pickle_builder.h"

namespace ckptlint::formats {
namespace {

using testing::PickleBuilder;

// Appends a _rebuild_tensor_v2 call for a float tensor of the given size/stride on storage `key`.
void tensorV2(PickleBuilder& b, const std::string& key, int numel, std::vector<int> size, std::vector<int> stride,
              int offset = 0, const std::string& storage = "FloatStorage", const std::string& location = "cpu") {
  b.global("torch._utils", "_rebuild_tensor_v2").mark();
  b.mark().unicode("storage").global("torch", storage).unicode(key).unicode(location).binint(numel).tuple().binpersid();
  b.binint(offset);
  b.mark();
  for (int s : size) b.binint(s);
  b.tuple().mark();
  for (int s : stride) b.binint(s);
  b.tuple().newFalse().global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
}

Result<ObjectContents> walk(const std::string& bytes, const WalkLimits& limits = {}) {
  Result<pickle::Pickle> parsed = pickle::readPickle(bytes);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok()) return parsed.error();
  // The contents copy what they need; the pickle may go away afterwards.
  return walkObjectTree(*parsed->root(), limits);
}

TEST(ObjectWalk, StateDictWithMetadataAtTheRoot) {
  PickleBuilder b;
  b.global("collections", "OrderedDict").binput(0).emptyTuple().reduce().mark();
  b.unicode("fc.weight");
  tensorV2(b, "0", 6, {2, 3}, {3, 1});
  b.unicode("fc.bias");
  tensorV2(b, "1", 2, {2}, {1});
  b.setitems();
  b.emptyDict().unicode("_metadata").binget(0).emptyTuple().reduce().setitem().build().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->tensors.size(), 2u);
  const TensorInfo& weight = contents->tensors[0];
  EXPECT_EQ(weight.path, ObjectPath{std::string("fc.weight")});
  EXPECT_EQ(weight.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(weight.stride, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(weight.storage_nbytes, 24u);
  EXPECT_EQ(weight.device, "cpu");
  ASSERT_EQ(contents->state_dicts.size(), 1u);
  EXPECT_TRUE(contents->state_dicts[0].path.empty());
  EXPECT_TRUE(contents->state_dicts[0].has_metadata);
  EXPECT_EQ(contents->state_dicts[0].tensors, (std::vector<std::size_t>{0, 1}));
}

TEST(ObjectWalk, ConventionalKeysComeFirstAndOptimizerStateIsNoCandidate) {
  PickleBuilder b;
  b.emptyDict().mark();
  b.unicode("extra").emptyDict().unicode("w");
  tensorV2(b, "0", 1, {1}, {1});
  b.setitem();
  b.unicode("optimizer").emptyDict().unicode("state").emptyDict().binint1(0).emptyDict().unicode("exp_avg");
  tensorV2(b, "1", 1, {1}, {1});
  b.setitem().setitem().setitem().unicode("param_groups").emptyList().setitem();
  b.unicode("model").emptyDict().unicode("conv.weight");
  tensorV2(b, "2", 1, {1}, {1}, 0, "HalfStorage", "cuda:1");
  b.setitem();
  b.setitems().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->tensors.size(), 3u);
  EXPECT_EQ(contents->tensors[1].path,
            (ObjectPath{std::string("optimizer"), std::string("state"), int64_t{0}, std::string("exp_avg")}));
  EXPECT_EQ(contents->tensors[2].device, "cuda:1");
  EXPECT_EQ(contents->tensors[2].dtype, DType::kFloat16);
  ASSERT_EQ(contents->state_dicts.size(), 2u);
  EXPECT_EQ(contents->state_dicts[0].path, ObjectPath{std::string("model")});
  EXPECT_TRUE(contents->state_dicts[0].conventional);
  EXPECT_EQ(contents->state_dicts[1].path, ObjectPath{std::string("extra")});
  EXPECT_FALSE(contents->state_dicts[1].conventional);
}

TEST(ObjectWalk, OptimizerStatesAreReadAsPlainData) {
  // {"optimizer_states": [{"state": {0: {"step": t, "exp_avg": t}, 1: {"momentum_buffer": None}},
  //                        "param_groups": [{"lr": 0.1, "params": [0]}, {"params": [1]}]},
  //                       {"state": {"x": {}}, "param_groups": []}]}  (Lightning keeps a list)
  PickleBuilder b;
  b.emptyDict().unicode("optimizer_states").emptyList().mark();
  b.emptyDict().unicode("state").emptyDict().binint1(0).emptyDict().mark().unicode("step");
  tensorV2(b, "0", 1, {}, {});
  b.unicode("exp_avg");
  tensorV2(b, "1", 6, {2, 3}, {3, 1});
  b.setitems().setitem().binint1(1).emptyDict().unicode("momentum_buffer").none().setitem().setitem().setitem();
  b.unicode("param_groups").emptyList().mark();
  b.emptyDict().unicode("lr").binint1(1).setitem().unicode("params").emptyList().mark().binint1(0).appends().setitem();
  b.emptyDict().unicode("params").emptyList().mark().binint1(1).appends().setitem();
  b.appends().setitem();
  b.emptyDict().unicode("state").emptyDict().unicode("x").emptyDict().setitem().setitem();
  b.unicode("param_groups").emptyList().setitem();
  b.appends().setitem().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->optimizer_states.size(), 2u);
  const OptimizerState& first = contents->optimizer_states[0];
  EXPECT_EQ(first.path, (ObjectPath{std::string("optimizer_states"), int64_t{0}}));
  EXPECT_EQ(first.param_groups, (std::vector<std::vector<int64_t>>{{0}, {1}}));
  EXPECT_TRUE(first.problem.empty()) << first.problem;
  ASSERT_EQ(first.state.size(), 2u);
  EXPECT_EQ(first.state[0].param_id, 0);
  ASSERT_EQ(first.state[0].tensors.size(), 2u);
  EXPECT_EQ(first.state[0].tensors[1].first, "exp_avg");
  EXPECT_EQ(contents->tensors[first.state[0].tensors[1].second].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(first.state[1].tensors.empty());  // momentum_buffer None: no tensor
  EXPECT_EQ(contents->optimizer_states[1].problem, "'state' has a key that is not an integer parameter id");
  EXPECT_TRUE(contents->state_dicts.empty());  // optimizer state is no state-dict candidate
}

TEST(ObjectWalk, ParameterAndV3AndMetaTensors) {
  PickleBuilder b;
  b.mark();
  b.global("torch._utils", "_rebuild_parameter").mark();
  tensorV2(b, "0", 4, {4}, {1});
  b.newTrue().global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
  // _rebuild_tensor_v3 with an UntypedStorage of 8 bytes holding 4 uint16 values.
  b.global("torch._utils", "_rebuild_tensor_v3").mark();
  b.mark().unicode("storage").global("torch.storage", "UntypedStorage").unicode("1").unicode("cuda:0").binint(8);
  b.tuple().binpersid().binint(0).mark().binint(4).tuple().mark().binint(1).tuple().newFalse();
  b.global("collections", "OrderedDict").emptyTuple().reduce().global("torch", "uint16").tuple().reduce();
  b.global("torch._utils", "_rebuild_meta_tensor_no_storage").mark().global("torch", "float32");
  b.mark().binint(2).tuple().mark().binint(1).tuple().newFalse().tuple().reduce();
  b.tuple().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->tensors.size(), 3u);
  EXPECT_TRUE(contents->tensors[0].is_parameter);
  EXPECT_TRUE(contents->tensors[0].requires_grad);
  EXPECT_EQ(contents->tensors[0].path, ObjectPath{int64_t{0}});
  EXPECT_EQ(contents->tensors[1].dtype, DType::kUInt16);
  EXPECT_EQ(contents->tensors[1].storage_nbytes, 8u);  // numel counts bytes for UntypedStorage
  EXPECT_EQ(contents->tensors[1].device, "cuda:0");
  EXPECT_EQ(contents->tensors[2].device, "meta");
  EXPECT_TRUE(contents->tensors[2].storage_key.empty());
  EXPECT_TRUE(contents->state_dicts.empty());  // a tuple is no state dict
}

TEST(ObjectWalk, TorchScriptTypeTagsAreTransparent) {
  PickleBuilder b;
  b.global("torch.jit._pickle", "restore_type_tag").emptyDict().unicode("w");
  tensorV2(b, "0", 2, {2}, {1});
  b.setitem().unicode("Dict[str, Tensor]").tuple2().reduce().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->tensors.size(), 1u);
  EXPECT_EQ(contents->tensors[0].path, ObjectPath{std::string("w")});
  ASSERT_EQ(contents->state_dicts.size(), 1u);
}

TEST(ObjectWalk, MalformedRebuildCallsAreErrorsNamingThePath) {
  PickleBuilder b;
  b.emptyDict().unicode("bad").global("torch._utils", "_rebuild_tensor_v2").mark().binint1(1).tuple().reduce();
  b.setitem().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("tensor at bad: _rebuild_tensor_v2: expects 6 or 7 arguments"),
            std::string::npos)
      << contents.error().message;

  PickleBuilder mismatch;
  mismatch.emptyDict().unicode("t");
  tensorV2(mismatch, "0", 6, {2, 3}, {3});
  mismatch.setitem().stop();
  Result<ObjectContents> dims = walk(mismatch.bytes());
  ASSERT_FALSE(dims.ok());
  EXPECT_NE(dims.error().message.find("stride has 1"), std::string::npos);

  PickleBuilder unknown_storage;
  unknown_storage.emptyDict().unicode("t");
  tensorV2(unknown_storage, "0", 6, {6}, {1}, 0, "WeirdStorage");
  unknown_storage.setitem().stop();
  EXPECT_FALSE(walk(unknown_storage.bytes()).ok());
}

TEST(ObjectWalk, CyclesAreWalkedOnce) {
  // l = []; l.append(l)
  PickleBuilder b;
  b.emptyList().binput(0).binget(0).op('a').stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->issues.size(), 1u);
  EXPECT_NE(contents->issues[0].message.find("contains itself"), std::string::npos);
}

TEST(ObjectWalk, SharedContainersAreWalkedOnce) {
  // t memoized; L0 = (t, t); L(k+1) = (Lk, Lk): 40 levels would be 2^41 paths if walked as a tree.
  PickleBuilder b;
  tensorV2(b, "0", 1, {1}, {1});
  b.binput(1).binget(1).tuple2();
  for (int level = 0; level < 40; ++level) b.binput(0).binget(0).tuple2();
  b.stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->tensors.size(), 2u);  // the tensor under both positions of L0, once
  ASSERT_FALSE(contents->issues.empty());
  EXPECT_NE(contents->issues[0].message.find("is the same object as"), std::string::npos) << contents->issues[0].message;
  EXPECT_NE(contents->issues.back().message.find("more notes"), std::string::npos);
}

TEST(ObjectWalk, DeeplyWrappedParametersAreAnErrorNotACrash) {
  PickleBuilder b;
  b.global("torch.nn.parameter", "Parameter").binput(1).op('0');
  for (int level = 0; level < 10000; ++level) b.binget(1);
  tensorV2(b, "0", 1, {1}, {1});
  for (int level = 0; level < 10000; ++level) b.op(static_cast<unsigned char>(0x85)).reduce();
  b.stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("more than 32 rebuild calls"), std::string::npos);
}

TEST(ObjectWalk, ObjectsAreWalkedThroughTheirState) {
  // {"ns": Namespace(t=tensor), "dd": defaultdict(list, {"w": tensor})}
  PickleBuilder b;
  b.emptyDict().unicode("ns").global("argparse", "Namespace").emptyTuple().op(static_cast<unsigned char>(0x81));
  b.emptyDict().unicode("t");
  tensorV2(b, "0", 1, {1}, {1});
  b.setitem().build().setitem();
  b.unicode("dd").global("collections", "defaultdict").global("builtins", "list").op(static_cast<unsigned char>(0x85));
  b.reduce().unicode("w");
  tensorV2(b, "1", 1, {1}, {1});
  b.setitem().setitem().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->tensors.size(), 2u);
  EXPECT_EQ(contents->tensors[0].path, (ObjectPath{std::string("ns"), std::string("t")}));
  EXPECT_EQ(contents->tensors[1].path, (ObjectPath{std::string("dd"), std::string("w")}));
  ASSERT_EQ(contents->state_dicts.size(), 2u);
  EXPECT_EQ(contents->state_dicts[0].path, ObjectPath{std::string("ns")});
  EXPECT_EQ(contents->state_dicts[1].path, ObjectPath{std::string("dd")});
}

TEST(ObjectWalk, SlotsStateAndAppendedItemsAreWalked) {
  // obj with state ({"a": t0}, {"b": t1}) (a __dict__ and __slots__ pair), and a list subclass
  // object whose items came through APPENDS.
  PickleBuilder b;
  b.emptyDict().unicode("obj").global("m", "Slotted").emptyTuple().op(static_cast<unsigned char>(0x81));
  b.emptyDict().unicode("a");
  tensorV2(b, "0", 1, {1}, {1});
  b.setitem().emptyDict().unicode("b");
  tensorV2(b, "1", 1, {1}, {1});
  b.setitem().tuple2().build().setitem();
  b.unicode("seq").global("m", "MyList").emptyTuple().op(static_cast<unsigned char>(0x81)).mark();
  tensorV2(b, "2", 1, {1}, {1});
  b.appends().setitem().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->tensors.size(), 3u);
  EXPECT_EQ(contents->tensors[0].path, (ObjectPath{std::string("obj"), std::string("a")}));
  EXPECT_EQ(contents->tensors[1].path, (ObjectPath{std::string("obj"), std::string("b")}));
  EXPECT_EQ(contents->tensors[2].path, (ObjectPath{std::string("seq"), int64_t{0}}));
}

TEST(ObjectWalk, RebuildFromTypeV2KeepsTheParameterFlag) {
  // _rebuild_from_type_v2(_rebuild_tensor_v2, Parameter, (args...), {})
  PickleBuilder b;
  b.global("torch._tensor", "_rebuild_from_type_v2").mark().global("torch._utils", "_rebuild_tensor_v2");
  b.global("torch.nn.parameter", "Parameter").mark();
  b.mark().unicode("storage").global("torch", "FloatStorage").unicode("0").unicode("cpu").binint(2).tuple().binpersid();
  b.binint(0).mark().binint(2).tuple().mark().binint(1).tuple().newTrue();
  b.global("collections", "OrderedDict").emptyTuple().reduce().tuple();
  b.emptyDict().tuple().reduce().stop();
  Result<ObjectContents> contents = walk(b.bytes());
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  ASSERT_EQ(contents->tensors.size(), 1u);
  EXPECT_TRUE(contents->tensors[0].is_parameter);
  EXPECT_TRUE(contents->tensors[0].requires_grad);
}

TEST(ObjectWalk, DepthIsBounded) {
  PickleBuilder b;
  for (int level = 0; level < 100; ++level) b.emptyList();
  for (int level = 0; level < 99; ++level) b.op('a');
  b.stop();
  WalkLimits limits;
  limits.max_depth = 50;
  Result<ObjectContents> contents = walk(b.bytes(), limits);
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("nested deeper"), std::string::npos);
}

}  // namespace
}  // namespace ckptlint::formats
