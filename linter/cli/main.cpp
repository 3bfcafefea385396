// ckptlint: command-line entry point. Splits global options from the subcommand, parses the
// subcommand's options, and maps every error that escapes to exit code 2.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "linter/cli/command_table.h"
#include "linter/cli/config_file.h"
#include "linter/cli/program_text.h"

namespace {

using namespace ckptlint::cli;

// No prefix guessing: `--form` must not silently mean `--format`.
constexpr int kStyle = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;

void printUsage(std::ostream& out) {
  out << "ckptlint " CKPTLINT_VERSION " - " << kTagline << "\n\n"
      << "usage: ckptlint COMMAND [OPTIONS] ...\n\ncommands:\n";
  for (const Command& command : commands()) {
    if (command.hidden) continue;
    out << "  " << command.name << std::string(12 - std::min<std::size_t>(command.name.size(), 11), ' ')
        << command.summary << '\n';
  }
  out << "\nRun 'ckptlint COMMAND --help' for a command's options.\nExit codes:";
  for (const ExitCodeText& exit_code : kExitCodes) {
    out << (exit_code.code == 0 ? " " : ", ") << exit_code.code << ' ' << exit_code.brief;
  }
  out << ".\n";
}

void printCommandHelp(const Command& command, const po::options_description& visible) {
  std::cout << "usage: " << command.usage << "\n\n" << command.summary << "\n\n" << visible;
}

int runCommand(const Command& command, const std::vector<std::string>& args) {
  const CommandOptions described(command);
  po::options_description all;
  all.add(described.visible).add(described.hidden);
  po::variables_map options;
  const po::parsed_options command_line =
      po::command_line_parser(args).options(all).positional(described.positional).style(kStyle).run();
  po::store(command_line, options);
  if (options.count("help") != 0) {
    printCommandHelp(command, described.visible);
    return 0;
  }
  // Settings from .ckptlint.cfg (commands with --config), under the command line.
  if (auto error = applyConfigFile(described.visible, command_line, options)) return static_cast<int>(reportError(*error));
  po::notify(options);
  return static_cast<int>(command.run(options));
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  setCommandLine(std::vector<std::string>(argv, argv + argc));
  if (args.empty()) {
    printUsage(std::cerr);
    return static_cast<int>(ExitStatus::kError);
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    if (args.size() > 1 && first == "help") {
      if (const Command* command = findCommand(args[1])) return runCommand(*command, {"--help"});
    }
    printUsage(std::cout);
    return 0;
  }
  if (first == "--version" || first == "-V") {
    std::cout << "ckptlint " CKPTLINT_VERSION "\n";
    return 0;
  }
  const Command* command = findCommand(first);
  if (command == nullptr) {
    std::string message = "unknown command '" + first + "'";
    const std::string suggestion = suggestCommand(first);
    if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
    reportError(message + " (see 'ckptlint --help')");
    return static_cast<int>(ExitStatus::kError);
  }
  try {
    return runCommand(*command, std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const po::error& error) {
    reportError(std::string(error.what()) + " (see 'ckptlint " + std::string(command->name) + " --help')");
  } catch (const std::exception& error) {
    reportError(error.what());
  }
  return static_cast<int>(ExitStatus::kError);
}
