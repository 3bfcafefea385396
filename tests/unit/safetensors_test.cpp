// The safetensors header validator and reader, on files built in memory.
#include "linter/formats/safetensors.h"
#include "linter/formats/file_kind.h"

#include <gtest/gtest.h>

#include <string>

namespace ckptlint::formats {
namespace {

std::string lengthPrefix(uint64_t length) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  return out;
}

std::string fileOf(const std::string& header, const std::string& data) { return lengthPrefix(header.size()) + header + data; }

std::string errorOf(const std::string& file) {
  Result<SafetensorsHeader> header = parseSafetensorsHeader(file);
  return header ? std::string("(accepted)") : header.error().message;
}

constexpr char kTwoTensors[] =
    R"({"__metadata__":{"format":"pt"},"b":{"dtype":"I8","shape":[3],"data_offsets":[16,19]},)"
    R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";

TEST(SafetensorsHeader, AcceptsAValidFileInAnyHeaderOrder) {
  Result<SafetensorsHeader> header = parseSafetensorsHeader(fileOf(kTwoTensors, std::string(19, '\0')));
  ASSERT_TRUE(header) << header.error().message;
  ASSERT_EQ(header->tensors.size(), 2u);
  EXPECT_EQ(header->tensors[0].name, "a");  // sorted by offsets, not by the header's order
  EXPECT_EQ(header->tensors[1].name, "b");
  EXPECT_EQ(header->tensors[1].begin, 16u);
  EXPECT_EQ(header->data_start, 8 + std::string(kTwoTensors).size());
  ASSERT_EQ(header->metadata.size(), 1u);
  EXPECT_EQ(header->metadata[0].first, "format");
  EXPECT_EQ(header->metadata[0].second, "pt");
}

TEST(SafetensorsHeader, AcceptsWhitespacePaddingAndEmptyHeaders) {
  EXPECT_EQ(errorOf(fileOf(" \t\n{}   ", "")), "(accepted)");
  EXPECT_EQ(errorOf(fileOf(R"({"z":{"dtype":"F32","shape":[2,0],"data_offsets":[0,0]}})", "")), "(accepted)");
  EXPECT_EQ(errorOf(fileOf(R"({"s":{"dtype":"F16","shape":[],"data_offsets":[0,2]}})", "xy")), "(accepted)");
}

TEST(SafetensorsHeader, LengthRules) {
  EXPECT_NE(errorOf("1234567").find("header too small"), std::string::npos);
  EXPECT_NE(errorOf(lengthPrefix(100'000'001) + "{}").find("exceeds the limit of 100000000"), std::string::npos);
  EXPECT_NE(errorOf(lengthPrefix(3) + "{}").find("reaches past the end of the 10-byte file"), std::string::npos);
  EXPECT_NE(errorOf(lengthPrefix(UINT64_MAX) + "{}").find("exceeds the limit"), std::string::npos);
}

TEST(SafetensorsHeader, TextRules) {
  EXPECT_EQ(errorOf(fileOf("{\"\xC0\xAF\":1}", "")), "the header is not valid UTF-8");  // overlong '/'
  EXPECT_EQ(errorOf(fileOf("{\"\xED\xA0\x80\":1}", "")), "the header is not valid UTF-8");  // a surrogate
  EXPECT_NE(errorOf(fileOf("{\"a\":", "")).find("the header is not valid JSON"), std::string::npos);
  EXPECT_NE(errorOf(fileOf("{} x", "")).find("the header is not valid JSON"), std::string::npos);
  EXPECT_EQ(errorOf(fileOf("[]", "")), "the header must be a JSON object, not an array");
}

TEST(SafetensorsHeader, EntryRules) {
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"F32","shape":[1]}})", "")), "tensor \"a\": missing field \"data_offsets\"");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", "1234")),
            "tensor \"a\": unknown field \"x\" (expected dtype, shape, data_offsets)");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "1234")),
            "tensor \"a\": \"shape\" must be an array of non-negative integers, not one holding the number -1");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", "1234")),
            "tensor \"a\": \"data_offsets\" must be two non-negative integers [begin, end], not an array of more than 2");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"X","shape":[1],"data_offsets":[0,4]}})", "1234")),
            "tensor \"a\": unknown dtype \"X\"");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}})", "12")),
            "tensor \"a\" appears twice in the header");
  EXPECT_EQ(errorOf(fileOf(R"({"__metadata__":{"k":"v","k":"w"}})", "")), "\"__metadata__\" member \"k\" appears twice");
  EXPECT_EQ(errorOf(fileOf(R"({"__metadata__":{"k":null}})", "")), "\"__metadata__\" member \"k\" must be a string, not null");
}

TEST(SafetensorsHeader, OffsetAndSizeRules) {
  const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  EXPECT_EQ(errorOf(fileOf("{" + a + R"(,"b":{"dtype":"I8","shape":[2],"data_offsets":[9,11]}})", std::string(11, '\0'))),
            "tensor \"b\": data_offsets [9, 11] leave a gap after the previous tensor's end (8)");
  EXPECT_EQ(errorOf(fileOf("{" + a + R"(,"b":{"dtype":"I8","shape":[2],"data_offsets":[7,9]}})", std::string(9, '\0'))),
            "tensor \"b\": data_offsets [7, 9] overlap the previous tensor's end (8)");
  EXPECT_EQ(errorOf(fileOf(R"({"b":{"dtype":"I8","shape":[2],"data_offsets":[3,1]}})", "")),
            "tensor \"b\": data_offsets [3, 1] end before they begin");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'))),
            "tensor \"a\": data_offsets [0, 8] hold 8 bytes, but F32 [3] needs 12");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", "12")),
            "tensor \"a\": 3 elements of F4 (4 bits each) do not end on a byte boundary");
  EXPECT_EQ(errorOf(fileOf(R"({"a":{"dtype":"I8","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", "")),
            "tensor \"a\": shape [4294967296, 4294967296] overflows when counting elements");
  EXPECT_NE(errorOf(fileOf("{" + a + "}", std::string(9, '\0'))).find("(1 trailing bytes)"), std::string::npos);
  EXPECT_NE(errorOf(fileOf("{" + a + "}", std::string(7, '\0'))).find("(1 bytes missing)"), std::string::npos);
  // Several empty tensors at one offset are contiguous.
  EXPECT_EQ(errorOf(fileOf(R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"f":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})", "")),
            "(accepted)");
}

TEST(SafetensorsReader, FillsACheckpoint) {
  const std::string file = fileOf(kTwoTensors, std::string(19, '\0'));
  Result<Checkpoint> checkpoint = readSafetensors(file, "x.safetensors");
  ASSERT_TRUE(checkpoint) << checkpoint.error().message;
  EXPECT_EQ(checkpoint->format, "safetensors");
  ASSERT_EQ(checkpoint->tensors.size(), 2u);
  const TensorInfo& a = checkpoint->tensors[0];
  EXPECT_EQ(a.dtype, DType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(a.stride, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(a.device, "cpu");
  ASSERT_TRUE(a.record.has_value());
  EXPECT_EQ(a.record->offset, 8 + std::string(kTwoTensors).size());
  EXPECT_EQ(a.record->size, 16u);
  EXPECT_EQ(checkpoint->tensors[1].dtype, DType::kInt8);
  ASSERT_EQ(checkpoint->state_dicts.size(), 1u);
  EXPECT_TRUE(checkpoint->state_dicts[0].path.empty());
  EXPECT_EQ(checkpoint->state_dicts[0].tensors.size(), 2u);
  ASSERT_EQ(checkpoint->metadata.size(), 1u);
}

TEST(SafetensorsReader, DTypesTorchLacksAreUnsupportedNotACrash) {
  Result<Checkpoint> checkpoint = readSafetensors(fileOf(R"({"a":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[0,3]}})", "123"), "x");
  ASSERT_FALSE(checkpoint);
  EXPECT_EQ(checkpoint.error().message, "tensor \"a\": dtype F6_E2M3 has no PyTorch equivalent (unsupported dtype)");
  Result<Checkpoint> fp8 = readSafetensors(fileOf(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", "12"), "x");
  ASSERT_TRUE(fp8) << fp8.error().message;
  EXPECT_EQ(fp8->tensors[0].dtype, DType::kFloat8E4M3Fn);
}

TEST(SafetensorsDTypes, NamesAndWriterRanks) {
  EXPECT_EQ(safetensorsDTypeName(DType::kBFloat16), "BF16");
  EXPECT_EQ(safetensorsDTypeName(DType::kUInt16), "U16");
  EXPECT_FALSE(safetensorsDTypeName(DType::kQInt8).has_value());
  EXPECT_LT(safetensorsDTypeRank("BOOL"), safetensorsDTypeRank("F16"));
  EXPECT_LT(safetensorsDTypeRank("F16"), safetensorsDTypeRank("F32"));
  EXPECT_LT(safetensorsDTypeRank("F32"), safetensorsDTypeRank("I64"));
  EXPECT_EQ(safetensorsDTypeRank("nope"), -1);
}

TEST(SafetensorsFileKind, ByContentNotBySize) {
  EXPECT_EQ(detectFileKind(fileOf(kTwoTensors, std::string(19, '\0'))), FileKind::kSafetensors);
  EXPECT_EQ(detectFileKind(fileOf("\n {}", "")), FileKind::kSafetensors);  // leading JSON whitespace
  // A length the reader will refuse is still recognised, so the error can say what is wrong.
  EXPECT_EQ(detectFileKind(lengthPrefix(uint64_t{1} << 40) + "{}"), FileKind::kSafetensors);
  // JSON text holds no NUL or control byte among its first 8 bytes: never taken for safetensors.
  EXPECT_NE(detectFileKind("{\"weight{{{\": {}}"), FileKind::kSafetensors);
  EXPECT_TRUE(startsLikeJsonObject("\xEF\xBB\xBF  {\"a\": 1}"));
  EXPECT_FALSE(startsLikeJsonObject("[1]"));
}

}  // namespace
}  // namespace ckptlint::formats
