// Python's repr() of the values a dict key can be, so that paths name non-str, non-int keys
// the way Python code walking the loaded object does (`repr(k)`).
#pragma once

#include <string>

#include "linter/pickle/value.h"

namespace ckptlint::formats {

/// repr() of None, bools, ints, floats (shortest round-trip, Python's switch to exponent form),
/// str, bytes (also protocol 2's `_codecs.encode(s, 'latin1')`), and tuples of those; other
/// values are named in angle brackets ("<object>").
std::string pythonRepr(const pickle::Value& value);

}  // namespace ckptlint::formats
