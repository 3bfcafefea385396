// A command's options as plain facts (names, value name, default, description), read from its
// options_description: the one source for --help, the man page and the shell completions.
#pragma once

#include <string>
#include <vector>

#include "linter/cli/command_table.h"

namespace ckptlint::cli {

struct OptionFacts {
  std::string long_name;      // "model" (no dashes); empty when the option has only a short name
  std::string short_name;     // "m"; empty when none
  bool takes_value = false;
  std::string value_name;     // "DEF"; "arg" when the option did not name it
  std::string default_value;  // as --help shows it ("text"); empty when none
  std::string description;
};

std::vector<OptionFacts> optionFacts(const po::options_description& options);

}  // namespace ckptlint::cli
