#include "linter/formats/storage_checks.h"

namespace ckptlint::formats {

std::optional<ReadIssue> viewOutsideStorage(const TensorInfo& tensor, const std::string& record) {
  const std::optional<uint64_t> needed = storageBytesNeeded(tensor);
  if (!needed) {
    return ReadIssue{ReadIssue::Kind::kViewOutOfBounds, record, 0,
                     displayPath(tensor.path) + ": negative or overflowing strides; torch.load refuses this view",
                     tensor.path};
  }
  if (*needed > tensor.storage_nbytes) {
    return ReadIssue{ReadIssue::Kind::kViewOutOfBounds, record, 0,
                     displayPath(tensor.path) + ": the view reaches " + std::to_string(*needed) +
                         " bytes into a storage of " + std::to_string(tensor.storage_nbytes) + "; torch.load refuses it",
                     tensor.path};
  }
  return std::nullopt;
}

}  // namespace ckptlint::formats
