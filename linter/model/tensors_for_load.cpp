#include "linter/model/tensors_for_load.h"

#include <algorithm>
#include <map>
#include <set>

#include "linter/core/rule.h"
#include "linter/formats/mapped_tensor_bytes.h"

namespace ckptlint::model {
namespace {

// Bytes that are swapped together: an element, or each half of a complex one.
std::optional<std::size_t> swapUnit(DType dtype) {
  const DTypeInfo& facts = info(dtype);
  switch (facts.family) {
    case DTypeFamily::kComplex: return facts.element_size / 2;
    case DTypeFamily::kFloating:
    case DTypeFamily::kSignedInt:
    case DTypeFamily::kUnsignedInt:
    case DTypeFamily::kBool: return facts.element_size;
    default: return std::nullopt;
  }
}

std::string byteSwapped(std::string_view bytes, std::size_t unit) {
  std::string swapped(bytes);
  for (std::size_t at = 0; at + unit <= swapped.size(); at += unit) std::reverse(swapped.begin() + at, swapped.begin() + at + unit);
  return swapped;
}

std::string shapeText(const std::vector<int64_t>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

// Why the reader could not place a tensor's storage (a legacy storage view past its base, a
// missing record), when it said so (its message names the tensor); else `fallback`.
std::string readIssueAbout(const Checkpoint& checkpoint, const TensorInfo& tensor, const std::string& fallback) {
  for (const ReadIssue& issue : checkpoint.issues) {
    if (!issue.tensor.empty() && issue.tensor == tensor.path) return issue.message;
  }
  return fallback;
}

}  // namespace

Result<TensorsForLoad> tensorsForLoad(const formats::LoadedCheckpoint& loaded, const StateDict& state_dict) {
  const Checkpoint& checkpoint = loaded.checkpoint;
  const bool big_endian = checkpoint.byteorder == "big";
  const formats::MappedTensorBytes bytes(loaded);
  TensorsForLoad result;
  std::map<std::pair<const char*, std::size_t>, std::string_view> swapped_storages;  // shared storages swapped once
  std::set<std::string> devices;
  for (std::size_t index : state_dict.tensors) {
    const TensorInfo& tensor = checkpoint.tensors[index];
    const std::string key(stateDictKey(tensor));
    Result<std::string_view> storage = bytes.storage(tensor);
    if (!storage) return makeError(readIssueAbout(checkpoint, tensor, "tensor '" + key + "': " + storage.error().message));
    const std::optional<uint64_t> needed = storageBytesNeeded(tensor);
    if (!needed || *needed > storage->size()) {
      return makeError("tensor '" + key + "': its view (shape " + shapeText(tensor.shape) + ", stride " + shapeText(tensor.stride) +
                       ", offset " + std::to_string(tensor.storage_offset) + ") reaches past its storage of " +
                       std::to_string(storage->size()) + " bytes (CKL402); torch.load refuses it too");
    }
    std::string_view view = *storage;
    if (big_endian && elementSize(tensor.dtype) > 1) {
      const std::optional<std::size_t> unit = swapUnit(tensor.dtype);
      if (!unit) return makeError("tensor '" + key + "': big-endian " + std::string(name(tensor.dtype)) + " storage cannot be byte-swapped");
      auto [slot, fresh] = swapped_storages.try_emplace({view.data(), view.size()});
      if (fresh) slot->second = result.swapped.emplace_back(byteSwapped(view, *unit));
      view = slot->second;
    }
    if (!tensor.device.empty() && tensor.device != "cpu") devices.insert(tensor.device);
    result.tensors.push_back({key, tensor.dtype, tensor.shape, tensor.stride, tensor.storage_offset, view});
  }
  if (!devices.empty()) {
    std::string list;
    for (const std::string& device : devices) list += (list.empty() ? "" : ", ") + device;
    result.notes.push_back("storages saved on " + list + " were loaded on the CPU (as torch.load(..., map_location=\"cpu\"))");
  }
  if (big_endian) {
    result.notes.push_back("storages are big-endian (byteorder record): byte-swapped to the host's order, as torch.load does since 2.1");
  }
  return result;
}

}  // namespace ckptlint::model
