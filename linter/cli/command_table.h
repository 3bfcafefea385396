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
/// The candidate closest to `name` (edit distance under 3), or empty.
std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates);

/// The program's arguments as main received them (argv[0] first), for reports that record
/// the invocation (SARIF).
const std::vector<std::string>& commandLine();
void setCommandLine(std::vector<std::string> arguments);

/// Prints "ckptlint: error: MESSAGE" on stderr and returns ExitStatus::kError.
ExitStatus reportError(const std::string& message);

// Commands (one file each).
void addCheckOptions(po::options_description& visible, po::options_description& hidden,
                     po::positional_options_description& positional);
ExitStatus runCheck(const po::variables_map& options);
void addInspectOptions(po::options_description& visible, po::options_description& hidden,
                       po::positional_options_description& positional);
ExitStatus runInspect(const po::variables_map& options);
void addSpecOptions(po::options_description& visible, po::options_description& hidden,
                    po::positional_options_description& positional);
ExitStatus runSpec(const po::variables_map& options);
void addRulesOptions(po::options_description& visible, po::options_description& hidden,
                     po::positional_options_description& positional);
ExitStatus runRules(const po::variables_map& options);

}  // namespace ckptlint::cli
