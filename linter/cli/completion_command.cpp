// `ckptlint completion bash`: a bash completion script written from the command table: the
// commands, each command's options (option_facts.h), the fixed values an option's usage line
// spells out (`--format text|json|sarif|github`), a command's first word when its usage line
// spells one (`config show`), rule ids for options whose value is IDS and for `rules`, and file
// names elsewhere. A new command, option or rule appears in it without editing this file.
#include <map>
#include <regex>
#include <sstream>

#include "linter/cli/command_table.h"
#include "linter/cli/option_facts.h"
#include "linter/cli/text_output.h"
#include "rules/registry.h"

namespace ckptlint::cli {

namespace {

constexpr std::string_view kShells[] = {"bash"};

}  // namespace

void addCompletionOptions(po::options_description& visible, po::options_description& hidden,
                          po::positional_options_description& positional) {
  addTextOutputOption(visible);
  hidden.add_options()("shell", po::value<std::string>(), "the shell");
  positional.add("shell", 1);
}

namespace {

using Words = std::vector<std::string>;

// `--format text|json|sarif|github` in a usage line: the option's complete set of values.
std::map<std::string, Words> fixedValues(std::string_view usage) {
  static const std::regex kChoice(R"(--([a-z][a-z0-9-]*)[ =]([A-Za-z0-9_.-]+(\|[A-Za-z0-9_.-]+)+))");
  std::map<std::string, Words> values;
  const std::string text(usage);
  for (auto match = std::sregex_iterator(text.begin(), text.end(), kChoice); match != std::sregex_iterator(); ++match) {
    Words& words = values[(*match)[1].str()];
    std::istringstream choices((*match)[2].str());
    for (std::string word; std::getline(choices, word, '|');) words.push_back(word);
  }
  return values;
}

Words ruleIds() {
  Words ids;
  for (const Rule& rule : rules::allRules()) ids.emplace_back(rule.info.id);
  return ids;
}

// `ckptlint rules ID|NAME`: rule ids and names.
Words ruleIdsAndNames() {
  Words words = ruleIds();
  for (const Rule& rule : rules::allRules()) words.emplace_back(rule.info.name);
  return words;
}

// A literal lower-case word right after the command in its usage line is a subcommand or a
// fixed first argument: `ckptlint config show`, `ckptlint completion bash`.
std::string firstArgumentWord(const Command& command) {
  static const std::regex kWord(R"(^ckptlint [a-z-]+ ([a-z][a-z-]*)( |$))");
  const std::string first_line(command.usage.substr(0, command.usage.find('\n')));
  std::smatch match;
  return std::regex_search(first_line, match, kWord) ? match[1].str() : "";
}

// Values that name a file (FILE, FMT:FILE, OUT, DEF, MODEL, DIR): complete file names. Others
// (N, PATH in a state dict, GLOB, MODULE.NAME, RULE=LEVEL, ...) are free text: nothing to offer.
bool namesFile(const std::string& value_name) {
  for (const char* word : {"FILE", "OUT", "DEF", "MODEL", "DIR"}) {
    if (value_name.find(word) != std::string::npos) return true;
  }
  return false;
}

// Words go into single-quoted shell strings: only characters that need no quoting.
std::string shellWords(const Words& words) {
  static const std::regex kPlain(R"([A-Za-z0-9_.:,+=/-]+)");
  std::string joined;
  for (const std::string& word : words) {
    if (!std::regex_match(word, kPlain)) continue;
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

std::string optionPattern(const OptionFacts& option) {
  std::string pattern;
  if (!option.long_name.empty()) pattern += "--" + option.long_name;
  if (!option.short_name.empty()) pattern += (pattern.empty() ? "-" : "|-") + option.short_name;
  return pattern;
}

void writeCommandCase(const Command& command, std::ostream& out) {
  const std::vector<OptionFacts> options = optionFacts(CommandOptions(command).visible);
  const std::map<std::string, Words> choices = fixedValues(command.usage);
  out << "        " << command.name << ")\n            case $prev in\n";
  Words option_words;
  for (const OptionFacts& option : options) {
    if (!option.long_name.empty()) option_words.push_back("--" + option.long_name);
    if (!option.short_name.empty()) option_words.push_back("-" + option.short_name);
    if (!option.takes_value) continue;
    out << "                " << optionPattern(option) << ") ";
    if (auto found = choices.find(option.long_name); found != choices.end()) {
      out << "COMPREPLY=($(compgen -W '" << shellWords(found->second) << "' -- \"$cur\"))";
    } else if (option.value_name == "IDS") {
      out << "_ckptlint_list \"$_ckptlint_rule_ids\"";
    } else if (namesFile(option.value_name)) {
      out << "_ckptlint_files";
    } else {
      out << ":";
    }
    out << "; return ;;\n";
  }
  out << "            esac\n"
      << "            if [[ $cur == -* ]]; then\n"
      << "                COMPREPLY=($(compgen -W '" << shellWords(option_words) << "' -- \"$cur\"))\n"
      << "            else\n";
  const std::string first_word = firstArgumentWord(command);
  if (command.name == "rules") {
    out << "                COMPREPLY=($(compgen -W '" << shellWords(ruleIdsAndNames()) << "' -- \"$cur\"))\n";
  } else if (!first_word.empty()) {
    out << "                if (( COMP_CWORD == 2 )); then COMPREPLY=($(compgen -W '" << shellWords({first_word})
        << "' -- \"$cur\")); else _ckptlint_files; fi\n";
  } else {
    out << "                _ckptlint_files\n";
  }
  out << "            fi ;;\n";
}

void writeBashCompletion(std::ostream& out) {
  Words command_names;
  for (const Command& command : commands()) {
    if (!command.hidden) command_names.emplace_back(command.name);
  }
  out << "# bash completion for ckptlint " CKPTLINT_VERSION ": commands, options, option values, rule ids, files.\n"
         "# Generated by 'ckptlint completion bash' from its command table; do not edit. Install it as\n"
         "# ~/.local/share/bash-completion/completions/ckptlint, or source it from ~/.bashrc.\n\n"
      << "_ckptlint_rule_ids='" << shellWords(ruleIds()) << "'\n\n"
      << "# The last item of a comma-separated list (--select CKL1,CKL2) from the words in $1.\n"
         "_ckptlint_list() {\n"
         "    local prefix= item=$cur word\n"
         "    if [[ $cur == *,* ]]; then prefix=${cur%,*},; item=${cur##*,}; fi\n"
         "    COMPREPLY=()\n"
         "    for word in $(compgen -W \"$1\" -- \"$item\"); do COMPREPLY+=(\"$prefix$word\"); done\n"
         "}\n\n"
         "# File names. $cur is the word as typed: its quoting (a leading ' or \", or backslashes as\n"
         "# in my\\ file) is undone first, or a name with a space could not be completed.\n"
         "_ckptlint_files() {\n"
         "    compopt -o filenames 2>/dev/null\n"
         "    local IFS=$'\\n' word=$cur unquoted=\n"
         "    case $word in\n"
         "        \\'*) word=${word#\\'} ;;\n"
         "        \\\"*) word=${word#\\\"} ;;\n"
         "        *) while [[ $word =~ ^([^\\\\]*)\\\\(.)(.*)$ ]]; do\n"
         "               unquoted+=${BASH_REMATCH[1]}${BASH_REMATCH[2]}; word=${BASH_REMATCH[3]}\n"
         "           done\n"
         "           word=$unquoted$word ;;\n"
         "    esac\n"
         "    COMPREPLY=($(compgen -f -- \"$word\"))\n"
         "}\n\n"
         "_ckptlint() {\n"
         "    local cur=${COMP_WORDS[COMP_CWORD]} prev= command=\n"
         "    (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "    # --option=value: bash splits the word at '='.\n"
         "    if [[ $cur == = ]]; then\n"
         "        cur=\n"
         "    elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then\n"
         "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
         "    fi\n"
         "    # The command is always the first argument.\n"
         "    (( COMP_CWORD > 1 )) && command=${COMP_WORDS[1]}\n"
         "    COMPREPLY=()\n"
         "    case $command in\n"
         "        '')\n"
         "            COMPREPLY=($(compgen -W '"
      << shellWords(command_names) << " --help -h --version -V' -- \"$cur\")) ;;\n"
      << "        help)\n"
         "            (( COMP_CWORD == 2 )) && COMPREPLY=($(compgen -W '"
      << shellWords(command_names) << "' -- \"$cur\")) ;;\n";
  for (const Command& command : commands()) {
    if (!command.hidden) writeCommandCase(command, out);
  }
  out << "    esac\n"
         "    return 0\n"
         "}\n\n"
         "complete -F _ckptlint ckptlint\n";
}

}  // namespace

ExitStatus runCompletion(const po::variables_map& options) {
  if (options.count("shell") == 0) return reportError("completion needs a shell: ckptlint completion bash");
  const std::string shell = options["shell"].as<std::string>();
  if (shell != kShells[0]) return reportError("unknown shell '" + shell + "' for completion (supported: bash)");
  std::ostringstream script;
  writeBashCompletion(script);
  return writeTextOutput(script.str(), options);
}

}  // namespace ckptlint::cli
