#include "linter/cli/command_table.h"

#include <algorithm>
#include <iostream>

#include "linter/core/printable.h"

namespace ckptlint::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"check", "lint checkpoints against a model definition: keys, prefixes, shapes, dtypes, devices",
       "ckptlint check SNAPSHOT|DIR... [--model DEF] [--format text|json|sarif|github] [--output FORMAT:FILE]...\n"
       "                      [--select IDS] [--ignore IDS] [--fail-on error|warning|note|never] [--state-dict PATH] [-j N]\n"
       "                      [--diff | --apply [-o OUT [--force] | --backup-suffix SUFFIX | --no-backup]] [--unsafe-fixes]\n"
       "                      [--color auto|always|never] [--baseline FILE]",
       addCheckOptions, runCheck},
      {"baseline", "record the current findings as known problems, so that check --baseline reports only new ones",
       "ckptlint baseline create SNAPSHOT|DIR... [-o FILE] [--model DEF] [--select IDS] [--ignore IDS] [CHECK OPTIONS]",
       addBaselineOptions, runBaseline},
      {"inspect", "show what a checkpoint holds: records, globals, state dicts, tensors",
       "ckptlint inspect FILE [--format text|json] [--state-dict PATH]", addInspectOptions, runInspect},
      {"spec", "freeze a model definition (TorchScript, reference checkpoint) as a JSON spec for --model",
       "ckptlint spec TORCHSCRIPT|CHECKPOINT|SPEC [-o OUT [--force]] [--state-dict PATH]", addSpecOptions, runSpec},
      {"verify", "load a snapshot's tensors into a TorchScript model through LibTorch, as a C++ deployment would",
       "ckptlint verify SNAPSHOT --model MODEL.ts [--state-dict PATH] [--format text|json] [--checksums]", addVerifyOptions,
       runVerify},
      {"rules", "list the rules, or show one rule's documentation", "ckptlint rules [ID|NAME] [--format text|json]",
       addRulesOptions, runRules},
      {"config", "show the settings check runs with (config file, command line, defaults) and where each came from",
       "ckptlint config show [--config FILE | --isolated] [--json] [CHECK OPTIONS]", addConfigOptions, runConfig},
      {"completion", "print a shell completion script (bash) for the commands, options and rule ids",
       "ckptlint completion bash [-o FILE]", addCompletionOptions, runCompletion},
      {"manpage", "write the manual page (roff) generated from this help and the rule pages",
       "ckptlint manpage [-o FILE]", addManPageOptions, runManPage, /*hidden=*/true},
  };
  return kCommands;
}

const Command* findCommand(std::string_view name) {
  for (const Command& command : commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

CommandOptions::CommandOptions(const Command& command) : visible(std::string(command.name) + " options") {
  visible.add_options()("help,h", "show this help");
  command.add_options(visible, hidden, positional);
}

namespace {

std::vector<std::string>& commandLineStorage() {
  static std::vector<std::string> arguments;
  return arguments;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = 3;  // suggest only close matches
  for (std::string_view candidate : candidates) {
    const std::size_t distance = editDistance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string didYouMean(std::string_view name, const std::vector<std::string_view>& candidates) {
  const std::string suggestion = closestName(name, candidates);
  return suggestion.empty() ? std::string() : "; did you mean '" + suggestion + "'?";
}

std::string suggestCommand(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Command& command : commands()) names.push_back(command.name);
  return closestName(name, names);
}

const std::vector<std::string>& commandLine() { return commandLineStorage(); }

void setCommandLine(std::vector<std::string> arguments) { commandLineStorage() = std::move(arguments); }

ExitStatus reportError(const std::string& message) {
  std::cerr << "ckptlint: error: " << printable(message) << '\n';  // always exactly one line
  return ExitStatus::kError;
}

}  // namespace ckptlint::cli
