// Counting NaN and ±Inf in a tensor's bytes by their bit patterns (an exponent of all ones),
// never by converting: the same test works for every width and, with byte-swapped masks,
// for big-endian data. Only the elements the view covers are looked at.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "linter/core/dtype.h"

namespace ckptlint::rules {

struct NonFiniteCounts {
  uint64_t nan = 0;      // torch.isnan(t).sum(); complex: either part NaN
  uint64_t pos_inf = 0;  // t == inf (real dtypes)
  uint64_t neg_inf = 0;  // t == -inf (real dtypes)
  uint64_t inf = 0;      // complex: torch.isinf(t).sum(), either part infinite
  /// Flat index, in the tensor's own C order, of the first element that is NaN or infinite
  /// (what torch.nonzero(~torch.isfinite(t.flatten()))[0] gives).
  std::optional<uint64_t> first;
  uint64_t elements = 0;  // elements looked at (numel)

  bool any() const { return first.has_value(); }
};

/// The dtypes that can hold a NaN or an infinity: float16/32/64, bfloat16, complex32/64/128
/// and the float8 kinds that encode NaN (float8_e5m2 also ±Inf; e4m3fn, the fnuz kinds and
/// e8m0fnu only NaN; float4_e2m1fn_x2 neither).
bool canHoldNonFinite(DType dtype);

struct ViewGeometry {
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;  // in elements, all >= 0
  int64_t storage_offset = 0;   // in elements
};

/// Called with byte ranges of `storage` the scan is done with, in increasing order for
/// contiguous views (every few MiB, so the caller can release pages as it goes), once for
/// the whole reach of other views.
using ScannedRange = std::function<void(uint64_t offset, uint64_t size)>;

/// Elements a scan of `view` reads: numel, except that a dimension of stride 0 (expanded)
/// counts once, since it repeats the same elements. nullopt when the product overflows.
std::optional<uint64_t> distinctElements(const ViewGeometry& view);

/// Counts the non-finite elements of the view over `storage` (the bytes of the whole storage,
/// in the file's byte order); the work is distinctElements(view), whatever numel is. The
/// caller has checked that the view fits in `storage`, that canHoldNonFinite(dtype) and that
/// numel fits in 64 bits.
NonFiniteCounts countNonFinite(DType dtype, std::string_view storage, const ViewGeometry& view, bool big_endian,
                               const ScannedRange& scanned = {});

}  // namespace ckptlint::rules
