#include "linter/core/dtype.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ckptlint {
namespace {

TEST(DType, TableIsIndexedByEnumAndNamesAreUnique) {
  std::size_t count = 0;
  const DTypeInfo* table = allDTypes(&count);
  std::set<std::string_view> names;
  std::set<std::string_view> storage_classes;
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(table[i].dtype), i);
    EXPECT_TRUE(names.insert(table[i].name).second) << table[i].name;
    EXPECT_TRUE(storage_classes.insert(table[i].storage_class).second) << table[i].storage_class;
    EXPECT_EQ(dtypeFromName(table[i].name), table[i].dtype);
    EXPECT_GT(table[i].element_size, 0);
  }
}

TEST(DType, ElementSizesMatchTorch) {
  // Classic dtypes: the fixture comparison checks every storage's nbytes against torch 1.13's
  // Storage.nbytes(), for all twelve dtypes of dtypes_all.pt. The 2.x-only dtypes (float8,
  // uint16/32/64, complex32) cannot be checked with Debian's torch: their sizes come from
  // torch-format.md §4.3 (torch._utils._element_size), not from a run.
  EXPECT_EQ(elementSize(DType::kFloat64), 8);
  EXPECT_EQ(elementSize(DType::kFloat32), 4);
  EXPECT_EQ(elementSize(DType::kFloat16), 2);
  EXPECT_EQ(elementSize(DType::kBFloat16), 2);
  EXPECT_EQ(elementSize(DType::kInt64), 8);
  EXPECT_EQ(elementSize(DType::kBool), 1);
  EXPECT_EQ(elementSize(DType::kComplex128), 16);
  EXPECT_EQ(elementSize(DType::kComplex64), 8);
  EXPECT_EQ(elementSize(DType::kComplex32), 4);
  EXPECT_EQ(elementSize(DType::kQUInt4x2), 1);
  EXPECT_EQ(elementSize(DType::kFloat8E4M3Fn), 1);
  EXPECT_EQ(elementSize(DType::kUInt16), 2);
  EXPECT_EQ(elementSize(DType::kUInt64), 8);
}

TEST(DType, StorageClassesResolveByNameLikeTorch) {
  EXPECT_EQ(dtypeFromStorageClass("FloatStorage"), DType::kFloat32);
  EXPECT_EQ(dtypeFromStorageClass("torch.cuda.HalfStorage"), DType::kFloat16);  // module ignored
  EXPECT_EQ(dtypeFromStorageClass("BFloat16Storage"), DType::kBFloat16);
  EXPECT_EQ(dtypeFromStorageClass("ComplexFloatStorage"), DType::kComplex64);
  EXPECT_EQ(dtypeFromStorageClass("Float8_e4m3fnStorage"), DType::kFloat8E4M3Fn);  // LibTorch spelling
  EXPECT_FALSE(dtypeFromStorageClass("UntypedStorage").has_value());
  EXPECT_FALSE(dtypeFromStorageClass("NotAStorage").has_value());
  EXPECT_TRUE(isUntypedStorage("torch.storage.UntypedStorage"));
  EXPECT_FALSE(isUntypedStorage("FloatStorage"));
}

TEST(DType, NamesAreCanonicalOnly) {
  EXPECT_EQ(dtypeFromName("float8_e5m2"), DType::kFloat8E5M2);
  EXPECT_FALSE(dtypeFromName("float").has_value());  // an alias, never in a pickle
  EXPECT_FALSE(dtypeFromName("half").has_value());
  EXPECT_EQ(name(DType::kBFloat16), "bfloat16");
}

}  // namespace
}  // namespace ckptlint
