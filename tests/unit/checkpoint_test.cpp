#include "linter/core/checkpoint.h"

#include <gtest/gtest.h>

#include <limits>

namespace ckptlint {
namespace {

TensorInfo view(std::vector<int64_t> shape, std::vector<int64_t> stride, int64_t offset = 0) {
  TensorInfo tensor;
  tensor.dtype = DType::kFloat32;
  tensor.shape = std::move(shape);
  tensor.stride = std::move(stride);
  tensor.storage_offset = offset;
  return tensor;
}

TEST(StorageBytesNeeded, MatchesTorchsBound) {
  EXPECT_EQ(storageBytesNeeded(view({2, 3}, {3, 1})), 24u);
  EXPECT_EQ(storageBytesNeeded(view({3}, {1}, 2)), 20u);      // base[2:5] of a 10-element storage
  EXPECT_EQ(storageBytesNeeded(view({3, 2}, {1, 3})), 24u);   // transposed
  EXPECT_EQ(storageBytesNeeded(view({}, {})), 4u);            // 0-d
  EXPECT_EQ(storageBytesNeeded(view({2, 0, 3}, {3, 3, 1})), 0u);
  EXPECT_EQ(storageBytesNeeded(view({4}, {0})), 4u);          // expanded (stride 0)
}

TEST(StorageBytesNeeded, RefusesNegativeAndOverflowingStrides) {
  EXPECT_FALSE(storageBytesNeeded(view({2}, {-1})).has_value());
  const int64_t huge = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(storageBytesNeeded(view({huge, 3}, {huge, 1})).has_value());
}

}  // namespace
}  // namespace ckptlint

#include "linter/core/bounded_notes.h"

namespace ckptlint {
namespace {

TEST(BoundedNotes, KeepsTheFirstAndCountsTheRest) {
  BoundedNotes notes(2, "things");
  for (int i = 0; i < 5; ++i) notes.add("note " + std::to_string(i));
  EXPECT_EQ(notes.take(), (std::vector<std::string>{"note 0", "note 1", "... and 3 more notes about things"}));
  BoundedNotes few(5, "things");
  few.add("only");
  EXPECT_EQ(few.take(), std::vector<std::string>{"only"});
}

}  // namespace
}  // namespace ckptlint
