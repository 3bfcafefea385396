// CKL203: NaN or ±Inf in a floating tensor. Neither torch.load nor load_state_dict looks at
// values, so a diverged snapshot loads without complaint. Runs only with --check-values (it
// reads every byte of every floating tensor); each tensor's own elements are counted, never
// the parts of a shared storage its view does not cover.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "rules/all_rules.h"
#include "rules/key_summary.h"
#include "rules/non_finite_scan.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

std::string countsText(const NonFiniteCounts& counts, bool complex) {
  std::vector<std::string> parts;
  if (counts.nan > 0) parts.push_back(std::to_string(counts.nan) + " NaN");
  if (complex && counts.inf > 0) parts.push_back(std::to_string(counts.inf) + " infinite");
  if (counts.pos_inf > 0) parts.push_back(std::to_string(counts.pos_inf) + " +inf");
  if (counts.neg_inf > 0) parts.push_back(std::to_string(counts.neg_inf) + " -inf");
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  }
  return text;
}

ViewGeometry viewOf(const TensorInfo& tensor) { return ViewGeometry{tensor.shape, tensor.stride, tensor.storage_offset}; }

// A view may read its storage's elements several times over (as_strided with overlapping
// strides); up to this many element reads it is scanned anyway, beyond that it is noted.
constexpr uint64_t kMaxOverlappingReads = uint64_t{1} << 28;

// Why a tensor's values could not be read, or nothing when they can be.
std::optional<std::string> whyNotScannable(const TensorInfo& tensor) {
  const std::optional<uint64_t> needed = storageBytesNeeded(tensor);
  if (!needed) return "view with negative or overflowing strides";
  if (*needed > tensor.storage_nbytes) return "view reaching past its storage";
  if (std::find(tensor.shape.begin(), tensor.shape.end(), 0) != tensor.shape.end()) return std::nullopt;  // empty
  int64_t numel = 1;
  for (int64_t size : tensor.shape) {
    if (__builtin_mul_overflow(numel, size, &numel)) return "shape whose element count overflows";
  }
  // Expanded dimensions (stride 0) are read once; what is left can still revisit elements.
  const std::optional<uint64_t> reads = distinctElements(viewOf(tensor));
  const uint64_t storage_elements = tensor.storage_nbytes / std::max<uint64_t>(1, elementSize(tensor.dtype));
  if (!reads || (*reads > storage_elements && *reads > kMaxOverlappingReads)) {
    return "view reading the same storage elements many times over";
  }
  return std::nullopt;
}

void check(const CheckContext& context, FindingSink& sink) {
  const TensorBytes* source = context.tensor_bytes;
  if (source == nullptr) return;  // the CLI sets it with --check-values
  const Checkpoint& checkpoint = context.checkpoint;
  const bool big_endian = checkpoint.byteorder == "big";
  std::unordered_set<std::size_t> in_checked_state_dict;
  if (context.state_dict.chosen != nullptr) {
    in_checked_state_dict.insert(context.state_dict.chosen->tensors.begin(), context.state_dict.chosen->tensors.end());
  }

  std::vector<std::size_t> to_scan;
  uint64_t total_bytes = 0;
  for (std::size_t index = 0; index < checkpoint.tensors.size(); ++index) {
    const TensorInfo& tensor = checkpoint.tensors[index];
    if (!canHoldNonFinite(tensor.dtype) || tensor.storage_key.empty()) continue;  // no storage: meta tensors
    to_scan.push_back(index);
    total_bytes += distinctElements(viewOf(tensor)).value_or(0) * elementSize(tensor.dtype);
  }
  source->expect(total_bytes);

  // Tensors whose values could not be read, grouped by the reason: one note each.
  std::map<std::string, std::vector<std::string>> unchecked;
  for (std::size_t index : to_scan) {
    const TensorInfo& tensor = checkpoint.tensors[index];
    const std::string where = in_checked_state_dict.count(index) != 0 ? std::string(stateDictKey(tensor))
                                                                       : displayPath(tensor.path);
    if (std::optional<std::string> why = whyNotScannable(tensor)) {
      unchecked[*why].push_back(where);
      continue;
    }
    Result<std::string_view> bytes = source->storage(tensor);
    if (!bytes) {
      unchecked[bytes.error().message].push_back(where);
      continue;
    }
    const std::string_view storage = *bytes;
    const NonFiniteCounts counts = countNonFinite(
        tensor.dtype, storage, viewOf(tensor), big_endian,
        [&](uint64_t offset, uint64_t size) { source->done(tensor, storage.substr(offset, size)); });
    if (!counts.any()) continue;
    const bool complex = info(tensor.dtype).family == DTypeFamily::kComplex;
    std::string message = "'" + where + "' (" + std::string(name(tensor.dtype)) + " " + shapeText(tensor.shape) +
                          ") has " + countsText(counts, complex) + " of " + std::to_string(counts.elements) +
                          " values; the first at flat index " + std::to_string(*counts.first);
    Finding& finding = in_checked_state_dict.count(index) != 0 ? sink.add(std::move(message))
                                                               : sink.addForFile(std::move(message));
    coverKeys(finding, {where});
  }
  for (auto& [why, keys] : unchecked) {
    Finding& finding = sink.addForFile(countText(keys.size(), "tensor was", "tensors were") +
                                       " not checked for NaN/Inf (" + why + "): " + summarizeKeys(keys));
    finding.level = Level::kNote;
    coverKeys(finding, std::move(keys));
  }
}

}  // namespace

Rule nonFiniteValuesRule() {
  return defineRule("CKL203", "non-finite-values", Level::kError,
                    "NaN or Inf in a floating tensor (reads values; only with --check-values)", check,
                    RuleNeeds::kValues);
}

}  // namespace ckptlint::rules
