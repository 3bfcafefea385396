// Writing an output file so that it is never seen half-written: a temporary file in the same
// folder, renamed (or linked) into place once complete.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "linter/core/result.h"

namespace ckptlint::io {

/// Writes `bytes` to `path` atomically. With `overwrite` false an existing `path` is an error,
/// decided atomically (the temporary is hard-linked to `path`, which fails if it exists).
/// The file gets the usual 0666 & ~umask permissions. Errors name the problem, not the path.
std::optional<Error> writeFileAtomically(const std::string& path, std::string_view bytes, bool overwrite);

}  // namespace ckptlint::io
