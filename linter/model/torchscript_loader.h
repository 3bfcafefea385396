// TorchScript model definitions, read by the LibTorch plugin (plugin/torchscript_plugin_api.h),
// which is dlopened here on first use so that runs without TorchScript never load LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/dtype.h"
#include "linter/core/model_spec.h"
#include "linter/core/result.h"

namespace ckptlint::model {

/// What the TorchScript module at `path` expects: its parameters and buffers (recursively), in
/// state_dict() order, with shapes and dtypes. Errors are one line, without the path; a missing
/// plugin or LibTorch is an error saying how to get it.
///
/// The plugin is looked for in $CKPTLINT_PLUGIN_DIR, then beside the running executable, then
/// in ../lib/ckptlint/ relative to it (the installed layout).
Result<ModelSpec> specFromTorchScript(const std::string& path);

/// One snapshot tensor for loadIntoTorchScript: a view over storage bytes (little-endian) that
/// stay valid for the call; the caller has checked that the view lies inside them.
struct TensorForLoad {
  std::string key;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
  int64_t storage_offset = 0;  // in elements
  std::string_view storage;
};

/// What Python's torch.jit.load(MODEL).load_state_dict(snapshot) (strict) would do, done by
/// LibTorch in the plugin: plain data, read back from the plugin's JSON.
struct WeightsLoad {
  struct SizeMismatch {
    std::string key;
    std::vector<int64_t> checkpoint_shape;
    std::vector<int64_t> model_shape;
  };
  struct Checksum {  // a model tensor after the load: CRC-32 of its bytes, contiguous
    std::string key;
    std::string dtype;
    std::vector<int64_t> shape;
    uint32_t crc32 = 0;
  };
  bool ok = false;
  std::string module_type;  // the root module's TorchScript class, e.g. __torch__.torchvision.models.resnet.ResNet
  uint64_t model_tensors = 0;       // parameters and buffers of the module
  uint64_t checkpoint_tensors = 0;  // distinct keys handed in
  uint64_t loaded = 0;              // tensors copied into the module
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  std::vector<SizeMismatch> size_mismatch;
  std::vector<std::string> errors;       // other failures (a copy_ that threw)
  std::vector<std::string> error_lines;  // the lines of PyTorch's message after its header
  std::string pytorch_message;           // what Python would raise; empty when ok
  std::vector<Checksum> checksums;       // only when asked for
};

/// Loads the TorchScript archive at `path` on the CPU and loads `tensors` into it as PyTorch's
/// strict load_state_dict does (see plugin/torchscript_plugin_api.h). An error (one line)
/// means no verdict: no plugin, a module LibTorch cannot load, a tensor that cannot be set up.
Result<WeightsLoad> loadIntoTorchScript(const std::string& path, const std::vector<TensorForLoad>& tensors,
                                        bool with_checksums);

}  // namespace ckptlint::model
