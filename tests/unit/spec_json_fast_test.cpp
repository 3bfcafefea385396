// The SAX fast path for JSON specs: the same spec as the validating reader for valid
// documents, and nothing for a document that reader refuses (it then explains the error).
#include <gtest/gtest.h>

#include <string>

#include "linter/model/spec_json.h"
#include "linter/model/spec_json_fast.h"
#include "linter/model/spec_json_scan.h"
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

// The scanner takes the layout spec writes when no string needs an escape, and gives what the
// SAX pass gives.
TEST(SpecJsonScan, ReadsWhatSpecWritesWithoutEscapes) {
  ModelSpec plain = sample();
  plain.entries.pop_back();  // the key with quotes
  plain.entries.push_back({"caf\xC3\xA9.\xF0\x9F\x98\x80", {2, 0, 9223372036854775807}, DType::kBool,
                           ModelEntry::Kind::kBuffer});
  const Result<std::string> text = writeSpecJson(plain);
  ASSERT_TRUE(text.ok());
  const std::optional<ModelSpec> scanned = scanWrittenSpec(*text);
  ASSERT_TRUE(scanned.has_value());
  expectSameSpec(*scanned, plain);
  plain.source = "";
  const std::optional<ModelSpec> no_source = scanWrittenSpec(*writeSpecJson(plain));
  ASSERT_TRUE(no_source.has_value());
  expectSameSpec(*no_source, plain);
  plain.entries.clear();
  ASSERT_TRUE(scanWrittenSpec(*writeSpecJson(plain)).has_value());
}

// Valid documents in another layout are left to the SAX pass, which reads them.
TEST(SpecJsonScan, LeavesOtherLayoutsToTheGeneralReader) {
  const std::string head = R"({"format": "ckptlint-spec", "version": 1, "entries": [)";
  const std::vector<std::string> valid = {
      head + R"({"key": "a\u0062", "shape": [1], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "a\"q", "shape": [1], "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"shape": [1], "key": "a", "dtype": "float32", "kind": "parameter"}]})",
      head + R"({"key": "a", "shape": [-0], "dtype": "float32", "kind": "parameter"}]})",
      R"({"version": 1, "format": "ckptlint-spec", "entries": []})",
      R"({"format": "ckptlint-spec", "version": 1, "entries": [], "source": "x"})",
      "\xEF\xBB\xBF" + head + "]}",  // a byte-order mark
  };
  for (const std::string& text : valid) {
    EXPECT_FALSE(scanWrittenSpec(text).has_value()) << text;
    EXPECT_TRUE(readWellFormedSpec(text).has_value()) << text;
  }
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
  // The same, in the written layout where possible, for the scanner (repeated keys are its
  // caller's check); plus what only a scanner could get wrong.
  const std::string written_head = "{\n  \"format\": \"ckptlint-spec\",\n  \"version\": 1,\n  \"entries\": [\n    ";
  const std::string entry = R"({"key": "a", "shape": [1], "dtype": "float32", "kind": "parameter"})";
  std::vector<std::string> scanner_refused = refused;
  scanner_refused.pop_back();
  for (const char* broken : {
           R"({"key": "a", "shape": [01], "dtype": "float32", "kind": "parameter"})",
           R"({"key": "a", "shape": [1e2], "dtype": "float32", "kind": "parameter"})",
           R"({"key": "a", "shape": [1,], "dtype": "float32", "kind": "parameter"})",
           R"({"key": "a", "shape": [18446744073709551616], "dtype": "float32", "kind": "parameter"})",
           "{\"key\": \"a\x01\", \"shape\": [1], \"dtype\": \"float32\", \"kind\": \"parameter\"}",
           "{\"key\": \"a\xFF\", \"shape\": [1], \"dtype\": \"float32\", \"kind\": \"parameter\"}",
           "{\"key\": \"a\xED\xA0\x80\", \"shape\": [1], \"dtype\": \"float32\", \"kind\": \"parameter\"}",
           R"({"key": "a", "shape": [1], "dtype": "float32", "kind": "parameter"},)",
           R"({"key": "a", "shape": [1], "dtype": "float32", "kind": "parameter")",
       }) {
    scanner_refused.push_back(written_head + broken + "\n  ]\n}\n");
  }
  scanner_refused.push_back(written_head + entry + "\n  ]\n}\n}");  // trailing bytes
  scanner_refused.push_back(written_head + entry + "\n  ]\n");
  for (const std::string& text : scanner_refused) {
    EXPECT_FALSE(scanWrittenSpec(text).has_value()) << text;
    EXPECT_FALSE(parseSpecJson(text).ok()) << text;
  }
}

// A member name is the whole string between its quotes: "shape " is an unknown member that the
// validator refuses, so the scanner must not read it as "shape" (found by differential fuzzing).
TEST(SpecJsonScan, RefusesMemberNamesWithSpaceInsideTheQuotes) {
  const std::string entry = R"({"key": "a", "shape": [1], "dtype": "float32", "kind": "parameter"})";
  const auto written = [](const std::string& format_member, const std::string& version_member,
                          const std::string& entries_member, const std::string& entry_text) {
    return "{\n  " + format_member + ": \"ckptlint-spec\",\n  " + version_member + ": 1,\n  " + entries_member +
           ": [\n    " + entry_text + "\n  ]\n}\n";
  };
  const std::string good = written(R"("format")", R"("version")", R"("entries")", entry);
  ASSERT_TRUE(scanWrittenSpec(good).has_value());
  std::vector<std::string> refused = {
      written(R"("format ")", R"("version")", R"("entries")", entry),
      written(R"("format")", "\"version\n\"", R"("entries")", entry),
      written(R"("format")", R"("version")", "\"entries\t\"", entry),
  };
  for (std::string_view member : {"key", "shape", "dtype", "kind"}) {
    std::string broken = entry;
    broken.replace(broken.find("\"" + std::string(member) + "\""), member.size() + 2, "\"" + std::string(member) + " \"");
    refused.push_back(written(R"("format")", R"("version")", R"("entries")", broken));
  }
  for (const std::string& text : refused) {
    EXPECT_FALSE(scanWrittenSpec(text).has_value()) << text;
    EXPECT_FALSE(readWellFormedSpec(text).has_value()) << text;
    EXPECT_FALSE(parseSpecJson(text).ok()) << text;
  }
}

}  // namespace
}  // namespace ckptlint::model
