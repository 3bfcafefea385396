// The snapshot side of `ckptlint verify`: a state dict's tensors as views over the memory-mapped
// storage bytes, checked so that LibTorch never reads past a mapping.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/formats/load.h"
#include "linter/model/torchscript_loader.h"

namespace ckptlint::model {

struct TensorsForLoad {
  std::vector<TensorForLoad> tensors;  // in the state dict's key order
  std::vector<std::string> notes;      // what was done that torch.load would need told (map_location, byte order)
  std::deque<std::string> swapped;     // byte-swapped copies of big-endian storages, which `tensors` view
};

/// Every tensor of `state_dict` with its storage bytes (memory-mapped, not copied, except
/// big-endian storages, which are byte-swapped into host order as PyTorch >= 2.1 does). Refused
/// (one line naming the key): a storage that is missing, compressed or shorter than declared,
/// a view reaching past its storage (CKL402; torch.load refuses it too), a dtype without a
/// byte order (quantized, bits). Storages saved on an accelerator are read as on the CPU, with
/// a note (map_location="cpu").
Result<TensorsForLoad> tensorsForLoad(const formats::LoadedCheckpoint& loaded, const StateDict& state_dict);

}  // namespace ckptlint::model
