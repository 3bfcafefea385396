#include "rules/non_finite_scan.h"

#include <algorithm>
#include <cstring>

namespace ckptlint::rules {

namespace {

// How one floating component (a real element, or one half of a complex one) encodes what is
// not finite. A component is suspect when (bits & test_mask) == test_value; IEEE formats then
// tell NaN (mantissa bits set) from ±Inf (sign bit), the others only have NaN patterns.
struct BitFormat {
  uint8_t width = 0;  // bytes per component
  uint64_t test_mask = 0;
  uint64_t test_value = 0;
  uint64_t mantissa = 0;
  uint64_t sign = 0;
  bool ieee = true;  // exponent all ones: Inf with a zero mantissa, NaN otherwise
  bool complex = false;
};

std::optional<BitFormat> formatOf(DType dtype) {
  switch (dtype) {
    case DType::kFloat64: return BitFormat{8, 0x7FF0000000000000ull, 0x7FF0000000000000ull, 0x000FFFFFFFFFFFFFull, 0x8000000000000000ull};
    case DType::kFloat32: return BitFormat{4, 0x7F800000u, 0x7F800000u, 0x007FFFFFu, 0x80000000u};
    case DType::kFloat16: return BitFormat{2, 0x7C00u, 0x7C00u, 0x03FFu, 0x8000u};
    case DType::kBFloat16: return BitFormat{2, 0x7F80u, 0x7F80u, 0x007Fu, 0x8000u};
    case DType::kComplex128: return BitFormat{8, 0x7FF0000000000000ull, 0x7FF0000000000000ull, 0x000FFFFFFFFFFFFFull, 0x8000000000000000ull, true, true};
    case DType::kComplex64: return BitFormat{4, 0x7F800000u, 0x7F800000u, 0x007FFFFFu, 0x80000000u, true, true};
    case DType::kComplex32: return BitFormat{2, 0x7C00u, 0x7C00u, 0x03FFu, 0x8000u, true, true};
    // float8 (c10/util/Float8_*.h, OCP 8-bit floating point): e5m2 is IEEE-like; e4m3fn has
    // no Inf and NaN = S.1111.111; the fnuz kinds have one NaN, 0x80 (the negative zero
    // pattern); e8m0fnu (an unsigned exponent) has NaN = 0xFF.
    case DType::kFloat8E5M2: return BitFormat{1, 0x7C, 0x7C, 0x03, 0x80};
    case DType::kFloat8E4M3Fn: return BitFormat{1, 0x7F, 0x7F, 0, 0, false};
    case DType::kFloat8E5M2Fnuz:
    case DType::kFloat8E4M3Fnuz: return BitFormat{1, 0xFF, 0x80, 0, 0, false};
    case DType::kFloat8E8M0Fnu: return BitFormat{1, 0xFF, 0xFF, 0, 0, false};
    default: return std::nullopt;
  }
}

// The masks as they appear in memory when the data is big-endian: testing swapped masks
// against unswapped data is the same test as swapping every element.
template <typename T>
T swapped(T value) {
  if constexpr (sizeof(T) == 1) {
    return value;
  } else if constexpr (sizeof(T) == 2) {
    return __builtin_bswap16(value);
  } else if constexpr (sizeof(T) == 4) {
    return __builtin_bswap32(value);
  } else {
    return __builtin_bswap64(value);
  }
}

template <typename T>
T load(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

template <typename T>
class Scanner {
 public:
  Scanner(const BitFormat& format, bool big_endian, NonFiniteCounts& counts) : counts_(counts) {
    auto in_memory = [&](uint64_t mask) { return big_endian ? swapped(static_cast<T>(mask)) : static_cast<T>(mask); };
    mask_ = in_memory(format.test_mask);
    value_ = in_memory(format.test_value);
    mantissa_ = in_memory(format.mantissa);
    sign_ = in_memory(format.sign);
    ieee_ = format.ieee;
    per_element_ = format.complex ? 2 : 1;
  }

  // `elements` consecutive elements starting at `at`; the first has flat index `first_index`.
  void run(const char* at, uint64_t elements, uint64_t first_index) {
    const uint64_t components = elements * per_element_;
    uint64_t done = 0;
    while (done < components) {
      const uint64_t block = std::min<uint64_t>(kBlock, components - done);
      const char* start = at + done * sizeof(T);
      // Most blocks hold nothing: one branch-free pass the compiler vectorizes; only a block
      // with a suspect component is looked at element by element.
      if (block == kBlock ? anySuspect<kBlock>(start) : anySuspectTail(start, block)) {
        classify(start, block / per_element_, first_index + done / per_element_);
      }
      done += block;
    }
  }

 private:
  static constexpr uint64_t kBlock = 1024;  // components; a multiple of every vector width

  template <uint64_t kCount>
  bool anySuspect(const char* at) const {
    unsigned hit = 0;
    for (uint64_t i = 0; i < kCount; ++i) hit |= static_cast<unsigned>((load<T>(at + i * sizeof(T)) & mask_) == value_);
    return hit != 0;
  }

  bool anySuspectTail(const char* at, uint64_t count) const {
    unsigned hit = 0;
    for (uint64_t i = 0; i < count; ++i) hit |= static_cast<unsigned>((load<T>(at + i * sizeof(T)) & mask_) == value_);
    return hit != 0;
  }

  enum Kind : unsigned { kFinite = 0, kNan = 1, kPosInf = 2, kNegInf = 4 };

  unsigned kindOf(T bits) const {
    if ((bits & mask_) != value_) return kFinite;
    if (!ieee_ || (bits & mantissa_) != 0) return kNan;
    return (bits & sign_) != 0 ? kNegInf : kPosInf;
  }

  void classify(const char* at, uint64_t elements, uint64_t first_index) {
    for (uint64_t i = 0; i < elements; ++i) {
      unsigned kind = kindOf(load<T>(at + i * per_element_ * sizeof(T)));
      if (per_element_ == 2) kind |= kindOf(load<T>(at + (2 * i + 1) * sizeof(T)));
      if (kind == kFinite) continue;
      if (!counts_.first) counts_.first = first_index + i;
      if ((kind & kNan) != 0) ++counts_.nan;
      if (per_element_ == 2) {
        if ((kind & (kPosInf | kNegInf)) != 0) ++counts_.inf;
      } else if (kind == kPosInf) {
        ++counts_.pos_inf;
      } else if (kind == kNegInf) {
        ++counts_.neg_inf;
      }
    }
  }

  NonFiniteCounts& counts_;
  T mask_{}, value_{}, mantissa_{}, sign_{};
  bool ieee_ = true;
  uint64_t per_element_ = 1;
};

// Release pages of long contiguous runs every so often, not only at the end of the tensor.
constexpr uint64_t kReleaseEvery = uint64_t{16} << 20;

template <typename T>
NonFiniteCounts scan(const BitFormat& format, std::string_view storage, const ViewGeometry& view, bool big_endian,
                     const ScannedRange& scanned) {
  NonFiniteCounts counts;
  Scanner<T> scanner(format, big_endian, counts);
  const uint64_t element_bytes = sizeof(T) * (format.complex ? 2 : 1);

  uint64_t numel = 1;
  for (int64_t size : view.shape) numel *= static_cast<uint64_t>(size);
  counts.elements = numel;
  if (numel == 0) return counts;

  // The innermost dimensions that are laid out contiguously form one run; the outer ones are
  // walked with an odometer. A contiguous tensor is a single run.
  std::size_t outer = view.shape.size();
  uint64_t run = 1;
  while (outer > 0 && (view.shape[outer - 1] == 1 || static_cast<uint64_t>(view.stride[outer - 1]) == run)) {
    run *= static_cast<uint64_t>(view.shape[outer - 1]);
    --outer;
  }
  const char* base = storage.data();
  const uint64_t start = static_cast<uint64_t>(view.storage_offset) * element_bytes;
  if (outer == 0) {
    const uint64_t chunk = std::max<uint64_t>(1, kReleaseEvery / element_bytes);
    for (uint64_t done = 0; done < run; done += chunk) {
      const uint64_t count = std::min(chunk, run - done);
      scanner.run(base + start + done * element_bytes, count, done);
      if (scanned) scanned(start + done * element_bytes, count * element_bytes);
    }
    return counts;
  }
  std::vector<int64_t> index(outer, 0);
  uint64_t offset = static_cast<uint64_t>(view.storage_offset);  // in elements
  uint64_t highest = offset;
  for (uint64_t flat = 0; flat < numel; flat += run) {
    scanner.run(base + offset * element_bytes, run, flat);
    highest = std::max(highest, offset + run);
    for (std::size_t d = outer; d-- > 0;) {  // next outer position
      if (++index[d] < view.shape[d]) {
        offset += static_cast<uint64_t>(view.stride[d]);
        break;
      }
      offset -= static_cast<uint64_t>(view.stride[d]) * static_cast<uint64_t>(view.shape[d] - 1);
      index[d] = 0;
    }
  }
  if (scanned) scanned(start, (highest * element_bytes) - start);
  return counts;
}

// A dimension of stride 0 (an expanded tensor: torch.zeros(1).expand(10**10) saves one
// element) repeats the same elements: it is walked once (size 1 here) and the counts scaled.
ViewGeometry withoutRepeats(const ViewGeometry& view) {
  ViewGeometry distinct = view;
  for (std::size_t d = 0; d < distinct.shape.size(); ++d) {
    if (distinct.stride[d] == 0 && distinct.shape[d] > 1) distinct.shape[d] = 1;
  }
  return distinct;
}

// Scales counts taken over withoutRepeats(view) to the whole view. The first non-finite
// element of the whole view is the first one of the distinct view with every repeated
// coordinate 0: the same multi-index, re-flattened in the full shape.
void scaleToRepeats(const ViewGeometry& view, const ViewGeometry& distinct, NonFiniteCounts* counts) {
  uint64_t repeats = 1;
  for (std::size_t d = 0; d < view.shape.size(); ++d) {
    if (distinct.shape[d] != view.shape[d]) repeats *= static_cast<uint64_t>(view.shape[d]);
  }
  counts->nan *= repeats;
  counts->pos_inf *= repeats;
  counts->neg_inf *= repeats;
  counts->inf *= repeats;
  counts->elements *= repeats;
  if (!counts->first) return;
  uint64_t rest = *counts->first, flat = 0, full_stride = 1;
  for (std::size_t d = view.shape.size(); d-- > 0;) {
    const uint64_t coordinate = rest % static_cast<uint64_t>(distinct.shape[d]);
    rest /= static_cast<uint64_t>(distinct.shape[d]);
    flat += coordinate * full_stride;
    full_stride *= static_cast<uint64_t>(view.shape[d]);
  }
  counts->first = flat;
}

template <typename T>
NonFiniteCounts scanWithRepeats(const BitFormat& format, std::string_view storage, const ViewGeometry& view,
                                bool big_endian, const ScannedRange& scanned) {
  const ViewGeometry distinct = withoutRepeats(view);
  NonFiniteCounts counts = scan<T>(format, storage, distinct, big_endian, scanned);
  scaleToRepeats(view, distinct, &counts);
  return counts;
}

}  // namespace

bool canHoldNonFinite(DType dtype) { return formatOf(dtype).has_value(); }

std::optional<uint64_t> distinctElements(const ViewGeometry& view) {
  uint64_t count = 1;
  for (std::size_t d = 0; d < view.shape.size(); ++d) {
    if (view.shape[d] < 0) return std::nullopt;
    const uint64_t size = view.stride[d] == 0 && view.shape[d] > 1 ? 1 : static_cast<uint64_t>(view.shape[d]);
    if (__builtin_mul_overflow(count, size, &count)) return std::nullopt;
  }
  return count;
}

NonFiniteCounts countNonFinite(DType dtype, std::string_view storage, const ViewGeometry& view, bool big_endian,
                               const ScannedRange& scanned) {
  const std::optional<BitFormat> format = formatOf(dtype);
  if (!format) return {};
  switch (format->width) {
    case 1: return scanWithRepeats<uint8_t>(*format, storage, view, big_endian, scanned);
    case 2: return scanWithRepeats<uint16_t>(*format, storage, view, big_endian, scanned);
    case 4: return scanWithRepeats<uint32_t>(*format, storage, view, big_endian, scanned);
    default: return scanWithRepeats<uint64_t>(*format, storage, view, big_endian, scanned);
  }
}

}  // namespace ckptlint::rules
