// Model definitions: the JSON spec (round trip, every validation error) and a reference
// checkpoint's spec (state dict choice, kind heuristic). TorchScript is covered end to end
// (tests/e2e/test_model_definitions.py): it needs LibTorch and real archives.
#include <gtest/gtest.h>

#include <string>

#include "linter/model/from_checkpoint.h"
#include "linter/model/spec_json.h"
#include "tests/unit/sample_model_spec.h"

namespace ckptlint::model {
namespace {

using testing::expectSameSpec;

ModelSpec sampleSpec() { return testing::sampleModelSpec(); }

TEST(SpecJson, RoundTripsAndIsByteStable) {
  const Result<std::string> text = writeSpecJson(sampleSpec());
  ASSERT_TRUE(text.ok()) << text.error().message;
  const Result<ModelSpec> parsed = parseSpecJson(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  expectSameSpec(*parsed, sampleSpec());
  const Result<std::string> again = writeSpecJson(*parsed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *text);
}

TEST(SpecJson, WritesOneEntryPerLineInModelOrder) {
  const Result<std::string> text = writeSpecJson(sampleSpec());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->substr(0, text->find("\n    {\"key\": \"bn1")),
            "{\n"
            "  \"format\": \"ckptlint-spec\",\n"
            "  \"version\": 1,\n"
            "  \"source\": \"resnet18.pt\",\n"
            "  \"entries\": [\n"
            "    {\"key\": \"conv1.weight\", \"shape\": [64, 3, 7, 7], \"dtype\": \"float32\", \"kind\": \"parameter\"},");
  EXPECT_NE(text->find("{\"key\": \"bn1.num_batches_tracked\", \"shape\": [], \"dtype\": \"int64\", \"kind\": \"buffer\"}"),
            std::string::npos);
  EXPECT_EQ(text->substr(text->size() - 7), "\n  ]\n}\n");
}

TEST(SpecJson, WritesAnEmptySpec) {
  const Result<std::string> text = writeSpecJson(ModelSpec{});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{\n  \"format\": \"ckptlint-spec\",\n  \"version\": 1,\n  \"entries\": []\n}\n");
  const Result<ModelSpec> parsed = parseSpecJson(*text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->entries.empty());
  EXPECT_EQ(parsed->source, "");
}

TEST(SpecJson, RefusesAKeyThatIsNotUtf8) {
  ModelSpec spec;
  spec.entries = {{"bad\xFF", {1}, DType::kFloat32, ModelEntry::Kind::kParameter}};
  const Result<std::string> text = writeSpecJson(spec);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("not valid UTF-8"), std::string::npos);
}

TEST(SpecJson, AcceptsMembersInAnyOrder) {
  const Result<ModelSpec> parsed = parseSpecJson(
      R"({"entries": [{"kind": "buffer", "dtype": "bool", "shape": [3], "key": "mask"}], "version": 1,
          "format": "ckptlint-spec"})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->entries.size(), 1u);
  EXPECT_EQ(parsed->entries[0].key, "mask");
  EXPECT_EQ(parsed->entries[0].dtype, DType::kBool);
  EXPECT_EQ(parsed->entries[0].kind, ModelEntry::Kind::kBuffer);
  EXPECT_EQ(parsed->source_kind, "spec");
}

// A document with one entry whose members are `entry` (a JSON object body).
std::string withEntry(const std::string& entry) {
  return R"({"format": "ckptlint-spec", "version": 1, "entries": [)"
         R"({"key": "a", "shape": [1], "dtype": "float32", "kind": "parameter"}, )" +
         entry + "]}";
}

struct BadSpec {
  const char* what;
  std::string text;
  std::string expected_error;
};

void PrintTo(const BadSpec& spec, std::ostream* out) { *out << spec.what; }  // names ctest's cases

class SpecJsonErrors : public ::testing::TestWithParam<BadSpec> {};

TEST_P(SpecJsonErrors, NamesTheEntryAndFieldOnOneLine) {
  const Result<ModelSpec> parsed = parseSpecJson(GetParam().text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.find('\n'), std::string::npos) << parsed.error().message;
  EXPECT_EQ(parsed.error().message.substr(0, GetParam().expected_error.size()), GetParam().expected_error)
      << parsed.error().message;
}

const std::string kGoodEntry = R"("shape": [2], "dtype": "float32", "kind": "parameter")";

INSTANTIATE_TEST_SUITE_P(
    EveryCheck, SpecJsonErrors,
    ::testing::Values(
        BadSpec{"NotJson", "{\"format\": ", "not valid JSON: "},
        BadSpec{"Empty", "", "not valid JSON: "},
        BadSpec{"NotAnObject", "[]", "a spec must be a JSON object, not array"},
        BadSpec{"NoFormat", R"({"version": 1, "entries": []})", "not a ckptlint spec: \"format\" must be"},
        BadSpec{"WrongFormat", R"({"format": "onnx", "version": 1, "entries": []})", "not a ckptlint spec"},
        BadSpec{"FormatNotString", R"({"format": 1, "version": 1, "entries": []})", "not a ckptlint spec"},
        BadSpec{"NoVersion", R"({"format": "ckptlint-spec", "entries": []})", "missing field \"version\""},
        BadSpec{"NewerVersion", R"({"format": "ckptlint-spec", "version": 2, "entries": []})",
                "unsupported spec version 2 (this ckptlint reads version 1)"},
        BadSpec{"VersionNotInteger", R"({"format": "ckptlint-spec", "version": "1", "entries": []})",
                "unsupported spec version \"1\""},
        BadSpec{"UnknownTopLevelField", R"({"format": "ckptlint-spec", "version": 1, "entries": [], "x": 0})",
                "unknown field \"x\""},
        BadSpec{"SourceNotString", R"({"format": "ckptlint-spec", "version": 1, "source": 3, "entries": []})",
                "field \"source\" must be a string, not number"},
        BadSpec{"NoEntries", R"({"format": "ckptlint-spec", "version": 1})", "missing field \"entries\""},
        BadSpec{"EntriesNotArray", R"({"format": "ckptlint-spec", "version": 1, "entries": {}})",
                "field \"entries\" must be an array, not object"},
        BadSpec{"EntryNotObject", withEntry("[]"), "entries[1]: must be an object, not array"},
        BadSpec{"MissingKey", withEntry("{" + kGoodEntry + "}"), "entries[1]: missing field \"key\""},
        BadSpec{"KeyNotString", withEntry(R"({"key": 7, )" + kGoodEntry + "}"),
                "entries[1]: field \"key\" must be a string, not number"},
        BadSpec{"EmptyKey", withEntry(R"({"key": "", )" + kGoodEntry + "}"), "entries[1]: field \"key\" is empty"},
        BadSpec{"MissingShape", withEntry(R"({"key": "b", "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): missing field \"shape\""},
        BadSpec{"ShapeNotArray", withEntry(R"({"key": "b", "shape": 3, "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): field \"shape\" must be an array of integers, not number"},
        BadSpec{"NonIntegerDim", withEntry(R"({"key": "b", "shape": [2, 2.5], "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): shape[1]: must be an integer, not 2.5"},
        BadSpec{"StringDim", withEntry(R"({"key": "b", "shape": ["2"], "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): shape[0]: must be an integer, not string"},
        BadSpec{"BoolDim", withEntry(R"({"key": "b", "shape": [true], "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): shape[0]: must be an integer, not boolean"},
        BadSpec{"NegativeDim", withEntry(R"({"key": "b", "shape": [4, -1], "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): shape[1]: negative dimension -1"},
        BadSpec{"HugeDim",
                withEntry(R"({"key": "b", "shape": [9223372036854775808], "dtype": "float32", "kind": "parameter"})"),
                "entries[1] (b): shape[0]: too large: 9223372036854775808"},
        BadSpec{"MissingDType", withEntry(R"({"key": "b", "shape": [1], "kind": "parameter"})"),
                "entries[1] (b): missing field \"dtype\""},
        BadSpec{"UnknownDType", withEntry(R"({"key": "b", "shape": [1], "dtype": "float", "kind": "parameter"})"),
                "entries[1] (b): unknown dtype \"float\" (use PyTorch's name, e.g. \"float32\")"},
        BadSpec{"TorchPrefixedDType",
                withEntry(R"({"key": "b", "shape": [1], "dtype": "torch.float32", "kind": "parameter"})"),
                "entries[1] (b): unknown dtype \"torch.float32\""},
        BadSpec{"MissingKind", withEntry(R"({"key": "b", "shape": [1], "dtype": "float32"})"),
                "entries[1] (b): missing field \"kind\""},
        BadSpec{"UnknownKind", withEntry(R"({"key": "b", "shape": [1], "dtype": "float32", "kind": "weight"})"),
                "entries[1] (b): unknown kind \"weight\" (use \"parameter\" or \"buffer\")"},
        BadSpec{"UnknownEntryField",
                withEntry(R"({"key": "b", "shape": [1], "dtype": "float32", "kind": "buffer", "dtpye": "x"})"),
                "entries[1] (b): unknown field \"dtpye\""},
        BadSpec{"DuplicateKey", withEntry(R"({"key": "a", )" + kGoodEntry + "}"),
                "entries[1] (a): duplicate key, also entries[0]"},
        BadSpec{"DuplicateMember",
                withEntry(R"({"key": "b", "shape": [1], "dtype": "float32", "dtype": "float16", "kind": "buffer"})"),
                "member \"dtype\" appears twice in one object"}),
    [](const ::testing::TestParamInfo<BadSpec>& info) { return std::string(info.param.what); });

TensorInfo tensorAt(ObjectPath path, std::vector<int64_t> shape, DType dtype = DType::kFloat32) {
  TensorInfo tensor;
  tensor.path = std::move(path);
  tensor.shape = std::move(shape);
  tensor.dtype = dtype;
  return tensor;
}

// A checkpoint with one state dict per entry of `prefixes` holding `keys` (all conventional).
Checkpoint checkpointWith(const std::vector<ObjectPath>& prefixes, const std::vector<std::string>& keys) {
  Checkpoint checkpoint;
  checkpoint.file = "reference.pt";
  for (const ObjectPath& prefix : prefixes) {
    StateDict state_dict;
    state_dict.path = prefix;
    state_dict.conventional = true;
    for (const std::string& key : keys) {
      ObjectPath path = prefix;
      path.emplace_back(key);
      state_dict.tensors.push_back(checkpoint.tensors.size());
      checkpoint.tensors.push_back(tensorAt(path, {2, 3}));
    }
    checkpoint.state_dicts.push_back(state_dict);
  }
  return checkpoint;
}

TEST(SpecFromCheckpoint, TakesTheStateDictsTensorsInOrder) {
  Checkpoint checkpoint = checkpointWith({{}}, {"conv.weight", "bn.running_mean", "bn.num_batches_tracked"});
  checkpoint.tensors[2].shape = {};
  checkpoint.tensors[2].dtype = DType::kInt64;
  const Result<ModelSpec> spec = specFromCheckpoint(checkpoint, std::nullopt);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->source, "reference.pt");
  EXPECT_EQ(spec->source_kind, "checkpoint");
  ASSERT_EQ(spec->entries.size(), 3u);
  EXPECT_EQ(spec->entries[0].key, "conv.weight");
  EXPECT_EQ(spec->entries[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(spec->entries[2].key, "bn.num_batches_tracked");
  EXPECT_EQ(spec->entries[2].shape, std::vector<int64_t>{});
  EXPECT_EQ(spec->entries[2].dtype, DType::kInt64);
}

TEST(SpecFromCheckpoint, GuessesBuffersByBatchNormNames) {
  Checkpoint checkpoint = checkpointWith(
      {{}}, {"bn.weight", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "running_var", "my_running_mean_x"});
  const Result<ModelSpec> spec = specFromCheckpoint(checkpoint, std::nullopt);
  ASSERT_TRUE(spec.ok());
  using K = ModelEntry::Kind;
  std::vector<K> kinds;
  for (const ModelEntry& entry : spec->entries) kinds.push_back(entry.kind);
  EXPECT_EQ(kinds, (std::vector<K>{K::kParameter, K::kBuffer, K::kBuffer, K::kBuffer, K::kBuffer, K::kParameter}));
}

TEST(SpecFromCheckpoint, ASavedParameterIsAParameterWhateverItsName) {
  Checkpoint checkpoint = checkpointWith({{}}, {"odd.running_mean"});
  checkpoint.tensors[0].is_parameter = true;
  const Result<ModelSpec> spec = specFromCheckpoint(checkpoint, std::nullopt);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->entries[0].kind, ModelEntry::Kind::kParameter);
}

TEST(SpecFromCheckpoint, UsesTheChosenStateDict) {
  const Checkpoint checkpoint = checkpointWith({{std::string("model")}, {std::string("ema")}}, {"w"});
  const Result<ModelSpec> ema = specFromCheckpoint(checkpoint, ObjectPath{std::string("ema")});
  ASSERT_TRUE(ema.ok()) << ema.error().message;
  ASSERT_EQ(ema->entries.size(), 1u);
  EXPECT_EQ(ema->entries[0].key, "w");
}

TEST(SpecFromCheckpoint, RefusesToGuessBetweenEquallyLikelyStateDicts) {
  const Checkpoint checkpoint = checkpointWith({{std::string("model")}, {std::string("state_dict")}}, {"w"});
  const Result<ModelSpec> spec = specFromCheckpoint(checkpoint, std::nullopt);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().message, "several state dicts could be the model's: model, state_dict; choose one with --state-dict");
}

TEST(SpecFromCheckpoint, TakesTheModelsWeightsOverTheirEmaCopy) {
  // Candidates arrive ordered by role (the walker sorts them): the model's weights first.
  const Checkpoint checkpoint = checkpointWith({{std::string("state_dict")}, {std::string("state_dict_ema")}}, {"w"});
  const Result<ModelSpec> spec = specFromCheckpoint(checkpoint, std::nullopt);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->entries.size(), 1u);
}

TEST(SpecFromCheckpoint, NoStateDictIsAnError) {
  const Result<ModelSpec> none = specFromCheckpoint(Checkpoint{}, std::nullopt);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message.rfind("no state dict to take the model's keys from: ", 0), 0u) << none.error().message;
  const Checkpoint checkpoint = checkpointWith({{std::string("model")}}, {"w"});
  const Result<ModelSpec> elsewhere = specFromCheckpoint(checkpoint, ObjectPath{std::string("ema")});
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().message, "no state dict to take the model's keys from: no state dict at ema; found: model");
}

TEST(SpecJson, ADeeplyNestedOrHugeVersionIsNamedNotEchoed) {
  // A million nested arrays: the message must not recurse into them (it once crashed here).
  const std::string nested = std::string(1000000, '[') + std::string(1000000, ']');
  Result<ModelSpec> parsed = parseSpecJson(R"({"format": "ckptlint-spec", "version": )" + nested + R"(, "entries": []})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "unsupported spec version of type array (this ckptlint reads version 1)");
  parsed = parseSpecJson(R"({"format": "ckptlint-spec", "version": ")" + std::string(100000, 'x') + R"(", "entries": []})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.error().message.size(), 120u);
}

}  // namespace
}  // namespace ckptlint::model
