// The SAX fast path for JSON specs: the same spec as the validating reader for valid
// documents, and nothing for a document that reader refuses (it then explains the error).
#include <gtest/gtest.h>

#include <string>

#include "linter/model/spec_json.h"
#include "linter/model/spec_json_fast.h"
#include "tests/unit/sample_model_spec.h"

namespace ckptlint::model {
namespace {

using testing::expectSameSpec;

ModelSpec sample() { return testing::sampleModelSpec(); }

TEST(SpecJsonFast, ReadsWhatSpecWrites) {
  const Result<std::string> text = writeSpecJson(sample());
  ASSERT_TRUE(text.ok());
  const std::optional<ModelSpec> fast = readWellFormedSpec(*text);
  ASSERT_TRUE(fast.has_value());
  expectSameSpec(*fast, sample());
}

TEST(SpecJsonFast, AcceptsAnyMemberOrderNoSourceAndNoEntries) {
  const std::optional<ModelSpec> fast = readWellFormedSpec(
      R"({"entries": [{"kind": "buffer", "shape": [3, -0], "key": "mask", "dtype": "bool"}], "version": 1,
          "format": "ckptlint-spec"})");
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->entries.size(), 1u);
  EXPECT_EQ(fast->entries[0].shape, (std::vector<int64_t>{3, 0}));  // -0 is 0, as the validator reads it
  EXPECT_EQ(fast->source, "");
  EXPECT_TRUE(readWellFormedSpec(R"({"format": "ckptlint-spec", "version": 1, "entries": []})").has_value());
}

// Each document breaks one rule; the fast path must give up and the validator must refuse it.
TEST(SpecJsonFast, GivesUpOnEveryDocumentTheValidatorRefuses) {
  const std::string head = R"({"format": "ckptlint-spec", "version": 1, "entries": [)";
  const std::string good = R"({"key": "a", "shape": [1], "dtype": "float32", "kind": "parameter"})";
  const std::vector<std::string> refused = {
      "", "[]", "{", head + good,  // not JSON or not an object
      R"({"version": 1, "entries": []})", R"({"format": "onnx", "version": 1, "entries": []})",
      R"({"format": "ckptlint-spec", "entries": []})", R"({"format": "ckptlint-spec", "version": 2, "entries": []})",
      R"({"format": "ckptlint-spec", "version": 1.0, "entries": []})",
      R"({"format": "ckptlint-spec", "version": "1", "entries": []})",
      R"({"format": "ckptlint-spec", "version": 1})", R"({"format": "ckptlint-spec", "version": 1, "entries": {}})",
      R"({"format": "ckptlint-spec", "version": 1, "entries": [], "x": null})",
      R"({"format": "ckptlint-spec", "version": 1, "source": 3, "entries": []})",
      R"({"format": "ckptlint-spec", "format": "ckptlint-spec", "version": 1, "entries": []})",
      head + "[]]}", head + "null]}", head + R"({"shape": [1], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "", "shape": [1], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": 7, "shape": [1], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": 1, "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": [[1]], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": [1.5], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": [-1], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": [9223372036854775808], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": [1], "dtype": "float", "kind": "parameter"}]})",
      head + R"({"key": "b", "shape": [1], "dtype": "float32", "kind": "weight"}]})",
      head + R"({"key": "b", "shape": [1], "dtype": "float32"}]})",
      head + R"({"key": "b", "shape": [1], "dtype": "float32", "kind": "buffer", "x": 1}]})",
      head + R"({"key": "b", "shape": [1], "dtype": "float32", "dtype": "float16", "kind": "buffer"}]})",
      head + good + ", " + good + "]}",  // the same key twice
  };
  for (const std::string& text : refused) {
    EXPECT_FALSE(readWellFormedSpec(text).has_value()) << text;
    EXPECT_FALSE(parseSpecJson(text).ok()) << text;
  }
}

}  // namespace
}  // namespace ckptlint::model
