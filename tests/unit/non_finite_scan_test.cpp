// CKL203's bit-pattern scan: counts and first index per dtype, views, byte order.
#include "rules/non_finite_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace ckptlint::rules {
namespace {

template <typename T>
std::string bytesOf(const std::vector<T>& values, bool big_endian = false) {
  std::string bytes(values.size() * sizeof(T), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  if (big_endian) {
    for (std::size_t i = 0; i < bytes.size(); i += sizeof(T)) std::reverse(bytes.begin() + i, bytes.begin() + i + sizeof(T));
  }
  return bytes;
}

ViewGeometry contiguous(int64_t numel) { return ViewGeometry{{numel}, {1}, 0}; }

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(NonFiniteScan, Float32CountsEachKindAndTheFirstIndex) {
  std::vector<float> values(5000, 1.5f);
  values[1500] = -kInf;  // crosses the first 1024-element block
  values[1501] = kNan;
  values[4999] = kInf;   // in the tail block
  values[3000] = -kNan;  // a negative NaN is a NaN
  const NonFiniteCounts counts = countNonFinite(DType::kFloat32, bytesOf(values), contiguous(5000), false);
  EXPECT_EQ(counts.nan, 2u);
  EXPECT_EQ(counts.pos_inf, 1u);
  EXPECT_EQ(counts.neg_inf, 1u);
  EXPECT_EQ(counts.first, 1500u);
  EXPECT_EQ(counts.elements, 5000u);
}

TEST(NonFiniteScan, FiniteExtremesAreNotReported) {
  std::vector<float> values = {std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min(), -0.0f, 0.0f};
  const NonFiniteCounts counts = countNonFinite(DType::kFloat32, bytesOf(values), contiguous(5), false);
  EXPECT_FALSE(counts.any());
}

TEST(NonFiniteScan, BigEndianDataGivesTheSameAnswer) {
  std::vector<double> values(100, 2.0);
  values[7] = std::nan("");
  values[8] = -std::numeric_limits<double>::infinity();
  // 2.0 byte-swapped has the bits of a little-endian value whose exponent is not all ones;
  // a scan that ignored byte order would miss the NaN or report garbage.
  const NonFiniteCounts little = countNonFinite(DType::kFloat64, bytesOf(values), contiguous(100), false);
  const NonFiniteCounts big = countNonFinite(DType::kFloat64, bytesOf(values, true), contiguous(100), true);
  for (const NonFiniteCounts& counts : {little, big}) {
    EXPECT_EQ(counts.nan, 1u);
    EXPECT_EQ(counts.neg_inf, 1u);
    EXPECT_EQ(counts.first, 7u);
  }
  // 0x7FF8... read as big-endian by mistake: the swapped NaN bytes are a finite number.
  const NonFiniteCounts wrong = countNonFinite(DType::kFloat64, bytesOf(values), contiguous(100), true);
  EXPECT_EQ(wrong.nan, 0u);
}

TEST(NonFiniteScan, HalfAndBfloat16Patterns) {
  // float16: 0x7C00 +inf, 0xFC00 -inf, 0x7E00 NaN, 0x7BFF max finite.
  const std::vector<uint16_t> half = {0x3C00, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01};
  const NonFiniteCounts h = countNonFinite(DType::kFloat16, bytesOf(half), contiguous(6), false);
  EXPECT_EQ(h.pos_inf, 1u);
  EXPECT_EQ(h.neg_inf, 1u);
  EXPECT_EQ(h.nan, 2u);
  EXPECT_EQ(h.first, 2u);
  // bfloat16: 0x7F80 +inf, 0xFF80 -inf, 0x7FC0 NaN, 0x7F7F max finite.
  const std::vector<uint16_t> bf = {0x7F7F, 0x7FC0, 0xFF80, 0x7F80};
  const NonFiniteCounts b = countNonFinite(DType::kBFloat16, bytesOf(bf), contiguous(4), false);
  EXPECT_EQ(b.nan, 1u);
  EXPECT_EQ(b.pos_inf, 1u);
  EXPECT_EQ(b.neg_inf, 1u);
  EXPECT_EQ(b.first, 1u);
}

TEST(NonFiniteScan, ComplexCountsElementsWhosePartsAreNotFinite) {
  // complex64 as (real, imag) float pairs: as torch.isnan/isinf, an element counts once.
  const std::vector<float> values = {1, 2, kNan, 0, 0, kInf, kNan, kNan, kInf, kNan, 3, 4};
  const NonFiniteCounts counts = countNonFinite(DType::kComplex64, bytesOf(values), contiguous(6), false);
  EXPECT_EQ(counts.nan, 3u);  // elements 1, 3, 4
  EXPECT_EQ(counts.inf, 2u);  // elements 2, 4
  EXPECT_EQ(counts.pos_inf + counts.neg_inf, 0u);
  EXPECT_EQ(counts.first, 1u);
  EXPECT_EQ(counts.elements, 6u);
}

TEST(NonFiniteScan, Float8Encodings) {
  const std::vector<uint8_t> e5m2 = {0x3C, 0x7B, 0x7C, 0xFC, 0x7D, 0xFF};  // 1, max, +inf, -inf, NaN, NaN
  const NonFiniteCounts a = countNonFinite(DType::kFloat8E5M2, bytesOf(e5m2), contiguous(6), false);
  EXPECT_EQ(a.pos_inf, 1u);
  EXPECT_EQ(a.neg_inf, 1u);
  EXPECT_EQ(a.nan, 2u);
  // e4m3fn: 0x7E is 448 (max), 0x78 is 256 (exponent all ones but finite), only S.1111.111 is NaN.
  const std::vector<uint8_t> e4m3 = {0x7E, 0x78, 0x7F, 0xFF, 0xFE};
  const NonFiniteCounts b = countNonFinite(DType::kFloat8E4M3Fn, bytesOf(e4m3), contiguous(5), false);
  EXPECT_EQ(b.nan, 2u);
  EXPECT_EQ(b.pos_inf + b.neg_inf, 0u);
  EXPECT_EQ(b.first, 2u);
  // fnuz: the only NaN is 0x80; 0x7F and 0xFF are finite.
  const std::vector<uint8_t> fnuz = {0x7F, 0xFF, 0x80, 0x00};
  for (DType dtype : {DType::kFloat8E4M3Fnuz, DType::kFloat8E5M2Fnuz}) {
    const NonFiniteCounts c = countNonFinite(dtype, bytesOf(fnuz), contiguous(4), false);
    EXPECT_EQ(c.nan, 1u);
    EXPECT_EQ(c.first, 2u);
  }
  const std::vector<uint8_t> e8m0 = {0x7F, 0xFE, 0xFF};
  EXPECT_EQ(countNonFinite(DType::kFloat8E8M0Fnu, bytesOf(e8m0), contiguous(3), false).nan, 1u);
  EXPECT_FALSE(canHoldNonFinite(DType::kFloat4E2M1FnX2));
  EXPECT_FALSE(canHoldNonFinite(DType::kInt32));
  EXPECT_TRUE(canHoldNonFinite(DType::kComplex32));
}

TEST(NonFiniteScan, OnlyTheElementsTheViewCovers) {
  // A 4x4 storage, NaN in the unused parts: view = column 1 rows 1..2 (shape [2], stride [4],
  // offset 5), as t[1:3, 1] gives.
  std::vector<float> values(16, 0.0f);
  for (int i : {0, 1, 4, 6, 13, 15}) values[i] = kNan;
  values[9] = kInf;  // row 2, column 1: inside the view
  const NonFiniteCounts counts = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{2}, {4}, 5}, false);
  EXPECT_EQ(counts.nan, 0u);
  EXPECT_EQ(counts.pos_inf, 1u);
  EXPECT_EQ(counts.first, 1u);
  // A contiguous slice in the middle: storage[4:8].
  const NonFiniteCounts slice = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{4}, {1}, 8}, false);
  EXPECT_EQ(slice.pos_inf, 1u);
  EXPECT_EQ(slice.nan, 0u);
  EXPECT_EQ(slice.first, 1u);
}

TEST(NonFiniteScan, TransposedViewIndexesInItsOwnOrder) {
  // storage 2x3 row-major; the view is its transpose, shape [3, 2], stride [1, 3].
  std::vector<float> values = {0, 0, kNan, 0, 0, 0};  // storage (0, 2)
  const NonFiniteCounts counts = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{3, 2}, {1, 3}, 0}, false);
  EXPECT_EQ(counts.nan, 1u);
  EXPECT_EQ(counts.first, 4u);  // transposed (2, 0) -> flat 2*2+0
}

TEST(NonFiniteScan, RowRunsOfAStridedView) {
  // Rows of 3 taken from rows of 5: shape [2, 3], stride [5, 1], offset 1.
  std::vector<float> values(10, 0.0f);
  values[0] = kNan;   // outside
  values[4] = kNan;   // outside (column 4)
  values[7] = -kInf;  // row 1, column 2 of the view -> flat 4
  const NonFiniteCounts counts = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{2, 3}, {5, 1}, 1}, false);
  EXPECT_EQ(counts.nan, 0u);
  EXPECT_EQ(counts.neg_inf, 1u);
  EXPECT_EQ(counts.first, 4u);
}

TEST(NonFiniteScan, ScalarsEmptyTensorsAndScannedRanges) {
  std::vector<float> values = {1, kNan, 3};
  const NonFiniteCounts scalar = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{}, {}, 1}, false);
  EXPECT_EQ(scalar.nan, 1u);
  EXPECT_EQ(scalar.first, 0u);
  const NonFiniteCounts empty = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{0, 3}, {3, 1}, 0}, false);
  EXPECT_FALSE(empty.any());
  EXPECT_EQ(empty.elements, 0u);
  uint64_t first = 0;
  uint64_t covered = 0;
  countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{2}, {1}, 1}, false, [&](uint64_t offset, uint64_t size) {
    if (covered == 0) first = offset;
    covered += size;
  });
  EXPECT_EQ(first, 4u);
  EXPECT_EQ(covered, 8u);
}

// Expanded tensors (stride 0) are saved with the one copy of their data; torch.isnan counts
// every element of the view. The scan reads the distinct elements once and scales.
TEST(NonFiniteScan, ExpandedDimensionsAreReadOnceAndCountedInFull) {
  std::vector<float> values = {1, kNan, 3};
  // torch.tensor([1, nan, 3]).expand(4, 3): the row four times.
  const NonFiniteCounts rows = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{4, 3}, {0, 1}, 0}, false);
  EXPECT_EQ(rows.nan, 4u);
  EXPECT_EQ(rows.first, 1u);
  EXPECT_EQ(rows.elements, 12u);
  // torch.tensor([1, nan, 3])[:, None].expand(3, 5): row 1 is all NaN, its first at flat 5.
  const NonFiniteCounts columns = countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{3, 5}, {1, 0}, 0}, false);
  EXPECT_EQ(columns.nan, 5u);
  EXPECT_EQ(columns.first, 5u);
  // torch.tensor([1, nan, 3])[None, :, None].expand(2, 3, 4): first NaN at (0, 1, 0) = flat 4.
  const NonFiniteCounts middle =
      countNonFinite(DType::kFloat32, bytesOf(values), ViewGeometry{{2, 3, 4}, {0, 1, 0}, 0}, false);
  EXPECT_EQ(middle.nan, 8u);
  EXPECT_EQ(middle.first, 4u);
  // torch.tensor([nan]).expand(2**40): one element read, not 2**40 (a scan element by element
  // would run for hours).
  const uint64_t huge = uint64_t{1} << 40;
  uint64_t read = 0;
  const NonFiniteCounts expanded = countNonFinite(DType::kFloat32, bytesOf(std::vector<float>{kNan}),
                                                  ViewGeometry{{static_cast<int64_t>(huge)}, {0}, 0}, false,
                                                  [&](uint64_t, uint64_t size) { read += size; });
  EXPECT_EQ(expanded.nan, huge);
  EXPECT_EQ(expanded.first, 0u);
  EXPECT_EQ(expanded.elements, huge);
  EXPECT_EQ(read, 4u);
  EXPECT_EQ(distinctElements(ViewGeometry{{static_cast<int64_t>(huge), 3}, {0, 1}, 0}), 3u);
  EXPECT_EQ(distinctElements(ViewGeometry{{int64_t{1} << 40, int64_t{1} << 40}, {1, 1}, 0}), std::nullopt);
}

}  // namespace
}  // namespace ckptlint::rules
