// What torch.nn.Module.load_state_dict(strict=True) does to a TorchScript module, in C++:
// the plugin's half of `ckptlint verify` (torchscript_plugin_api.h).
#pragma once

#include <torch/script.h>

#include <string>
#include <vector>

#include "linter/model/plugin/torchscript_plugin_api.h"

namespace ckptlint::plugin {

struct NamedStateTensor {
  std::string key;
  at::Tensor value;
  bool is_parameter = false;
};

/// The module's parameters and buffers in state_dict() order: module by module (pre-order),
/// each module's own parameters, then its own buffers. (named_parameters() + named_buffers()
/// would list all parameters first.)
std::vector<NamedStateTensor> stateTensors(const torch::jit::Module& root);

/// Loads the archive at `path` on the CPU, loads the tensors into it as Python's strict
/// load_state_dict would, and returns the JSON document ckptlint_torchscript_load_state_dict
/// promises. Throws (std::exception, c10::Error) when the module or a tensor cannot be set up.
std::string loadStateDictJson(const char* path, const ckptlint_tensor_view* tensors, size_t count, int flags);

}  // namespace ckptlint::plugin
