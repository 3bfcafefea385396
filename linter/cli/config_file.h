// The config file (.ckptlint.cfg): settings for any command that has --config, in
// Boost.Program_options' config-file syntax, merged under the command line.
//
// The keys are the long names of the command's own options (so a new option is settable in a
// file without touching this code), less those that only the command line may give (writing
// files, --help, --config itself). A `[NAME]` section of a repeatable option NAME turns each
// `KEY = VALUE` in it into the value `KEY=VALUE` of NAME (`[level]` / `CKL202 = error`).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/cli/command_table.h"
#include "linter/cli/config_syntax.h"
#include "linter/core/result.h"

namespace ckptlint::cli {

/// --config FILE and --isolated, for a command that takes settings from a config file.
void addConfigFileOptions(po::options_description& visible);

/// Where a setting's value came from.
struct SettingValue {
  std::string value;   // as written (a path as resolved against the config file's folder)
  std::string origin;  // "command line" or "FILE:LINE"
};

/// What applyConfigFile did, for `ckptlint config show`.
struct AppliedConfig {
  std::string file;                // the config file read; empty when none
  std::string source;              // how it was chosen, or why there is none
  std::vector<std::string> keys;   // the keys a config file may set, in the command's option order
  std::map<std::string, std::vector<SettingValue>> given;  // keys set on the command line or in the file
};

/// Merges the config file into `options`, which already holds `command_line`: the file named by
/// --config, else the nearest .ckptlint.cfg from the current folder up, none with --isolated.
/// A key given on the command line keeps only its command-line values (repeatable ones too);
/// a key the file repeats is an error unless the option is repeatable. Relative paths in the
/// file are relative to its folder. Records what it did in appliedConfig(). A command without
/// --config is left alone. The error is one line: "FILE:LINE: what is wrong".
std::optional<std::string> applyConfigFile(const po::options_description& description,
                                           const po::parsed_options& command_line, po::variables_map& options);

/// What the last applyConfigFile did.
const AppliedConfig& appliedConfig();

/// How an error about setting `key` names it: "--model" when the command line gave it,
/// "FILE:LINE: model" when a config file did (so the user knows which line to fix).
std::string settingLabel(const std::string& key);

}  // namespace ckptlint::cli
