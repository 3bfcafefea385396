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

/// What each command provides (one file per command): its options and how it runs.
using AddOptionsFunction = void(po::options_description& visible, po::options_description& hidden,
                                po::positional_options_description& positional);
using RunFunction = ExitStatus(const po::variables_map& options);

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;
  AddOptionsFunction* add_options;
  RunFunction* run;
  /// Left out of the usage list, the man page and the completions (build tooling: `manpage`).
  bool hidden = false;
};

/// A command's options as its parser sees them: `visible` (with -h/--help; shown by --help, the
/// man page and the completions), `hidden` (positional arguments) and the positional order.
struct CommandOptions {
  explicit CommandOptions(const Command& command);
  po::options_description visible;
  po::options_description hidden;
  po::positional_options_description positional;
};

const std::vector<Command>& commands();
const Command* findCommand(std::string_view name);
/// The closest command name for a "did you mean", or empty.
std::string suggestCommand(std::string_view name);
/// The candidate closest to `name` (edit distance under 3), or empty.
std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates);
/// "; did you mean 'NAME'?" for closestName's candidate, or empty: the tail of an error message.
std::string didYouMean(std::string_view name, const std::vector<std::string_view>& candidates);

/// The program's arguments as main received them (argv[0] first), for reports that record
/// the invocation (SARIF).
const std::vector<std::string>& commandLine();
void setCommandLine(std::vector<std::string> arguments);

/// Prints "ckptlint: error: MESSAGE" on stderr and returns ExitStatus::kError.
ExitStatus reportError(const std::string& message);

// Commands (one file each), declared through the two function types above.
AddOptionsFunction addCheckOptions;
RunFunction runCheck;
AddOptionsFunction addBaselineOptions;
RunFunction runBaseline;
AddOptionsFunction addInspectOptions;
RunFunction runInspect;
AddOptionsFunction addSpecOptions;
RunFunction runSpec;
AddOptionsFunction addVerifyOptions;
RunFunction runVerify;
AddOptionsFunction addRulesOptions;
RunFunction runRules;
AddOptionsFunction addConfigOptions;
RunFunction runConfig;
AddOptionsFunction addCompletionOptions;
RunFunction runCompletion;
AddOptionsFunction addManPageOptions;
RunFunction runManPage;

}  // namespace ckptlint::cli
