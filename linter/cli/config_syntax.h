// The config file's text: Boost.Program_options' config-file syntax read with line numbers,
// and where the nearest config file is. No options here (config_file.h applies them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"

namespace ckptlint::cli {

inline constexpr std::string_view kConfigFileName = ".ckptlint.cfg";

/// One `key = value` line; a section's name is already prefixed to the key (`level.CKL202`).
struct ConfigEntry {
  std::string key;
  std::string value;
  int line = 0;
};

/// Boost.Program_options' config syntax, with line numbers: `#` starts a comment anywhere,
/// blanks around keys and values are dropped, `[name]` prefixes `name.` to the keys after it,
/// and the first `=` splits a line. `file` names the source in errors ("FILE:LINE: ...").
Result<std::vector<ConfigEntry>> parseConfigText(std::string_view text, const std::string& file);

/// The nearest .ckptlint.cfg in `folder` or a folder above it (up to '/'); empty when none.
std::string findConfigFile(const std::string& folder);

}  // namespace ckptlint::cli
