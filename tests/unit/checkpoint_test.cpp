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

#include "linter/core/bounded_issues.h"

namespace ckptlint {
namespace {

std::vector<std::string> messages(const std::vector<ReadIssue>& issues) {
  std::vector<std::string> out;
  for (const ReadIssue& issue : issues) out.push_back(issue.message);
  return out;
}

TEST(BoundedIssues, KeepsTheFirstAndCountsTheRestPerKind) {
  BoundedIssues issues(2, "things");
  for (int i = 0; i < 5; ++i) issues.add(ReadIssue::Kind::kStorageMissing, "note " + std::to_string(i));
  issues.add(ReadIssue::Kind::kViewOutOfBounds, "view");
  const std::vector<ReadIssue> taken = issues.take();
  EXPECT_EQ(messages(taken), (std::vector<std::string>{"note 0", "note 1", "... and 3 more notes about things",
                                                       "... and 1 more notes about things"}));
  // The summaries keep their kinds: rules still see every kind that occurred.
  EXPECT_EQ(taken[2].kind, ReadIssue::Kind::kStorageMissing);
  EXPECT_EQ(taken[3].kind, ReadIssue::Kind::kViewOutOfBounds);
  BoundedIssues few(5, "things");
  few.add(ReadIssue::Kind::kStorageMissing, "only");
  EXPECT_EQ(messages(few.take()), std::vector<std::string>{"only"});
}

}  // namespace
}  // namespace ckptlint
