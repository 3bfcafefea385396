// Seeing through the ways a pickle spells a dict or a list: plain dict, OrderedDict() + SETITEMS,
// TorchScript's restore_type_tag(...) wrapper and build_*list(...) helpers.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "linter/pickle/value.h"

namespace ckptlint::formats {

using Entries = std::vector<std::pair<pickle::Value*, pickle::Value*>>;

/// The entries if `value` is a mapping, else nullptr.
const Entries* asMapping(const pickle::Value& value);

/// The elements if `value` is a list or tuple, else nullptr.
const pickle::ValueList* asSequence(const pickle::Value& value);

/// The value of `key` in a mapping with string keys, or nullptr.
const pickle::Value* lookup(const Entries& entries, std::string_view key);

/// The BUILD state of an OrderedDict that carries nn.Module's `_metadata` attribute.
const pickle::Value* moduleMetadata(const pickle::Value& mapping);

}  // namespace ckptlint::formats
