// Commands that print a generated text (manpage, completion) write it to stdout or, with
// -o FILE, to a file replaced atomically (the build runs them with -o).
#pragma once

#include <string_view>

#include "linter/cli/command_table.h"

namespace ckptlint::cli {

/// Adds -o/--output FILE.
void addTextOutputOption(po::options_description& visible);
/// Writes `text` to stdout, or to the -o file; an error is reported (exit 2).
ExitStatus writeTextOutput(std::string_view text, const po::variables_map& options);

}  // namespace ckptlint::cli
