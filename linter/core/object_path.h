// ObjectPath: where a value sits inside a checkpoint's object tree, from the root.
// Dict keys keep their Python type (str, int or bool; other keys by repr), list/tuple
// positions are ints.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ckptlint {

using PathElement = std::variant<std::string, int64_t, bool>;
using ObjectPath = std::vector<PathElement>;

/// "model/conv1.weight", "optimizer/state/0/exp_avg"; the root is "(root)". For people only:
/// it is ambiguous when keys contain '/', which is why JSON output uses arrays.
std::string displayPath(const ObjectPath& path);

/// Parses the --state-dict syntax: a JSON-like array (["model", 0]) or slash-separated
/// segments (model/ema). Returns false with a message on bad syntax.
bool parsePathSpec(const std::string& spec, ObjectPath* path, std::string* error);

/// Whether `path` names `spec`; a slash-form segment "0" matches both the int 0 and the str "0".
bool pathMatchesSpec(const ObjectPath& path, const ObjectPath& spec);

bool isPrefix(const ObjectPath& prefix, const ObjectPath& path);

}  // namespace ckptlint
