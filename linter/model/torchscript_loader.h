// TorchScript model definitions, read by the LibTorch plugin (plugin/torchscript_plugin_api.h),
// which is dlopened here on first use so that runs without TorchScript never load LibTorch.
#pragma once

#include <string>

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

}  // namespace ckptlint::model
