// The fastest way to read a JSON spec: a scanner for the layout `ckptlint spec` writes (members
// in the order written, strings without escapes), no JSON library involved. It reads a
// 100,000-entry spec several times faster than a general parser's SAX pass.
#pragma once

#include <optional>
#include <string_view>

#include "linter/core/model_spec.h"

namespace ckptlint::model {

/// The spec when `text` is a valid spec laid out as writeSpecJson lays it out (any JSON
/// whitespace between tokens); nullopt for anything else, valid or not, which the general
/// readers then take (spec_json_fast.h). It accepts only documents they accept, with the same
/// result, except that it leaves the check for repeated keys to its caller.
std::optional<ModelSpec> scanWrittenSpec(std::string_view text);

}  // namespace ckptlint::model
