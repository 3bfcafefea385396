// The subcommand table: one row per command, the single source for dispatch and help.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlint::cli {

namespace po = boost::program_options;

/// Exit codes, mapped in this one place: 0 clean, 1 findings at or above --fail-on,
/// 2 usage/configuration/I-O error or an unreadable file (fail closed).
enum class ExitStatus : int { kClean = 0, kFindings = 1, kError = 2 };

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;
  void (*add_options)(po::options_description& visible, po::options_description& hidden,
                      po::positional_options_description& positional);
  ExitStatus (*run)(const po::variables_map& options);
};

const std::vector<Command>& commands();
const Command* findCommand(std::string_view name);
/// The closest command name for a "did you mean", or empty.
std::string suggestCommand(std::string_view name);

/// Prints "ckptlint: error: MESSAGE" on stderr and returns ExitStatus::kError.
ExitStatus reportError(const std::string& message);

// Commands (one file each).
void addInspectOptions(po::options_description& visible, po::options_description& hidden,
                       po::positional_options_description& positional);
ExitStatus runInspect(const po::variables_map& options);

}  // namespace ckptlint::cli
