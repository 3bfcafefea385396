#include "linter/core/checkpoint.h"

#include <unordered_set>

namespace ckptlint {

std::optional<uint64_t> storageBytesNeeded(const TensorInfo& tensor) {
  uint64_t last = static_cast<uint64_t>(tensor.storage_offset);
  for (std::size_t i = 0; i < tensor.shape.size(); ++i) {
    if (tensor.shape[i] == 0) return 0;
    if (tensor.stride[i] < 0) return std::nullopt;
    uint64_t reach = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(tensor.shape[i] - 1), static_cast<uint64_t>(tensor.stride[i]), &reach) ||
        __builtin_add_overflow(last, reach, &last)) {
      return std::nullopt;
    }
  }
  uint64_t bytes = 0;
  if (__builtin_add_overflow(last, 1, &last) || __builtin_mul_overflow(last, uint64_t{elementSize(tensor.dtype)}, &bytes)) {
    return std::nullopt;
  }
  return bytes;
}

std::vector<std::string> Checkpoint::distinctGlobals() const {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  for (const GlobalReference& reference : globals) {
    std::string dotted = reference.dotted();
    if (seen.insert(dotted).second) names.push_back(std::move(dotted));
  }
  return names;
}

}  // namespace ckptlint
