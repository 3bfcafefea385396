// --model DEF: a model definition file → ModelSpec, whatever kind of file it is.
#pragma once

#include <optional>
#include <string>

#include "linter/core/model_spec.h"
#include "linter/core/object_path.h"
#include "linter/core/result.h"

namespace ckptlint::model {

/// Reads a model definition, recognised by content, never by extension:
///  - a JSON spec (first non-space byte '{'): validated by parseSpecJson; `source` is the file
///    the spec records it was generated from (its path when it records none);
///  - a TorchScript archive (a zip with constants.pkl and code/): through the LibTorch plugin;
///  - anything else: read as a reference checkpoint; `state_dict` picks its state dict (it is
///    ignored for the two other kinds).
/// `source_kind` says which ("spec", "torchscript", "checkpoint"). Errors are one line,
/// prefixed by the path.
Result<ModelSpec> loadModelDefinition(const std::string& path, const std::optional<ObjectPath>& state_dict);

}  // namespace ckptlint::model
