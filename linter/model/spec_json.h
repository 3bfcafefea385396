// The JSON spec: a model definition frozen as a text file (`ckptlint spec`), committed next to
// training code and used in CI with no Python or LibTorch anywhere.
//
//   {
//     "format": "ckptlint-spec",
//     "version": 1,
//     "source": "resnet18.pt",
//     "entries": [
//       {"key": "conv1.weight", "shape": [64, 3, 7, 7], "dtype": "float32", "kind": "parameter"},
//       ...
//     ]
//   }
//
// "source" (optional) is the file the spec was generated from. "kind" is informational today:
// no rule treats parameters and buffers differently.
#pragma once

#include <string>
#include <string_view>

#include "linter/core/model_spec.h"
#include "linter/core/result.h"

namespace ckptlint::model {

inline constexpr std::string_view kSpecFormat = "ckptlint-spec";
inline constexpr int kSpecVersion = 1;

/// Parses and validates a spec document. The result's `source` is the document's "source"
/// (empty if absent) and its `source_kind` is "spec". Errors are one line and name the entry
/// index and field ("entry 3 ("fc.weight"): dtype: unknown dtype 'float'"), without the path.
Result<ModelSpec> parseSpecJson(std::string_view text);

/// Writes `spec` as a spec document: entries in model order, one per line, so that a change
/// of the model is a readable diff. Deterministic: the same spec gives the same bytes. Fails
/// only when a key or the source is not valid UTF-8 (JSON cannot hold it).
Result<std::string> writeSpecJson(const ModelSpec& spec);

}  // namespace ckptlint::model
