// `ckptlint check SNAPSHOT...`: reads each snapshot without executing it, runs the rules
// (against a model definition when given), and reports in the requested formats.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "linter/cli/command_table.h"
#include "linter/cli/report_outputs.h"
#include "linter/core/engine.h"
#include "linter/formats/load.h"
#include "linter/io/sha256.h"
#include "linter/model/load_model.h"
#include "reports/check_summary.h"
#include "rules/all_rules.h"
#include "rules/registry.h"

namespace ckptlint::cli {

void addCheckOptions(po::options_description& visible, po::options_description& hidden,
                     po::positional_options_description& positional) {
  visible.add_options()
      ("model,m", po::value<std::string>()->value_name("DEF"),
       "model definition: a JSON spec (ckptlint spec), a reference checkpoint, or a TorchScript archive "
       "(loaded by LibTorch, which runs its TorchScript code: trusted files only)")
      ("state-dict", po::value<std::string>()->value_name("PATH"),
       "the state dict to check in each snapshot: slash-separated keys (model) or a JSON array")
      ("format,f", po::value<std::string>()->default_value("text")->value_name("FMT"),
       "report on stdout: text, json, sarif or github")
      ("output", po::value<std::vector<std::string>>()->value_name("FMT:FILE"),
       "also write a report to FILE (repeatable), e.g. sarif:results.sarif")
      ("select", po::value<std::vector<std::string>>()->value_name("IDS"),
       "run only these rules: ids or prefixes, comma-separated (CKL1,CKL201)")
      ("ignore", po::value<std::vector<std::string>>()->value_name("IDS"), "skip these rules: ids or prefixes")
      ("fail-on", po::value<std::string>()->default_value("error")->value_name("LEVEL"),
       "exit 1 when a finding reaches LEVEL: error, warning, note or never")
      ("check-crc", "also verify the CRC-32 of tensor records (reads every byte)")
      ("safe-global", po::value<std::vector<std::string>>()->value_name("MODULE.NAME"),
       "trust this global as torch.serialization.add_safe_globals would (CKL301/302 stay quiet; "
       "repeatable, comma-separated)")
      ("benign-global", po::value<std::vector<std::string>>()->value_name("MODULE.NAME"),
       "treat this global (or 'package.*') as benign: CKL302 instead of CKL301 (repeatable)")
      ("color", po::value<std::string>()->default_value("auto")->value_name("WHEN"),
       "colour text output: auto (a terminal, honouring NO_COLOR and CLICOLOR_FORCE), always or never");
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "checkpoint files");
  positional.add("file", -1);
}

namespace {

// Values of a repeatable, comma-separated option.
std::vector<std::string> splitList(const po::variables_map& options, const char* name) {
  std::vector<std::string> selectors;
  if (options.count(name) == 0) return selectors;
  for (const std::string& value : options[name].as<std::vector<std::string>>()) {
    std::stringstream items(value);
    std::string item;
    while (std::getline(items, item, ',')) {
      if (!item.empty()) selectors.push_back(item);
    }
  }
  return selectors;
}

// An unknown selector is a typo that would silently select nothing: refuse it.
std::optional<std::string> checkSelectors(const std::vector<std::string>& selectors, const char* option) {
  for (const std::string& selector : selectors) {
    if (matchesAnyRule(selector, rules::allRules())) continue;
    std::vector<std::string_view> ids;
    for (const Rule& rule : rules::allRules()) ids.push_back(rule.info.id);
    std::string message = "--" + std::string(option) + ": no rule matches '" + selector + "'";
    const std::string suggestion = closestName(selector, ids);
    if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
    return message + " (see 'ckptlint rules')";
  }
  return std::nullopt;
}

bool colorWanted(const std::string& when) {
  if (when == "always") return true;
  if (when == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force != nullptr && *force != '\0' && std::string(force) != "0") return true;
  return isatty(STDOUT_FILENO) == 1;
}

// What stays the same for every file of one run.
struct CheckSettings {
  std::optional<ObjectPath> wanted_state_dict;
  std::optional<ModelSpec> model;
  EngineOptions engine;
  RuleSettings rules;
  formats::LoadOptions load;
};

reports::FileResult checkFile(const std::string& path, const CheckSettings& settings) {
  reports::FileResult result;
  result.file = path;
  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(path, settings.load);
  if (!loaded) {
    // Reported even when --ignore names CKL001: an unreadable file is never clean.
    result.findings.push_back(rules::unreadableCheckpointFinding(path, loaded.error().message));
    return result;
  }
  const Checkpoint& checkpoint = loaded->checkpoint;
  const StateDictChoice choice = chooseStateDict(checkpoint, settings.wanted_state_dict);
  AnalysisCache cache;
  const CheckContext context{checkpoint, choice, settings.model ? &*settings.model : nullptr, cache, &settings.rules};
  // Like an unreadable file, pickle bytes that could not be scanned are never hidden; CKL001
  // comes first, as in the registry.
  result.findings = rules::unscannedPickleFindings(checkpoint);
  for (Finding& finding : runRules(rules::allRules(), context, settings.engine)) {
    result.findings.push_back(std::move(finding));
  }
  return result;
}

bool anyUnreadable(const reports::CheckReport& report) {
  for (const reports::FileResult& file : report.files) {
    for (const Finding& finding : file.findings) {
      if (finding.rule_id == "CKL001") return true;
    }
  }
  return false;
}

}  // namespace

ExitStatus runCheck(const po::variables_map& options) {
  if (options.count("file") == 0) return reportError("check needs at least one checkpoint file (see 'ckptlint check --help')");
  const auto& files = options["file"].as<std::vector<std::string>>();

  Result<std::vector<ReportOutput>> outputs = parseReportOutputs(options);
  if (!outputs) return reportError(outputs.error().message);
  const std::string fail_on = options["fail-on"].as<std::string>();
  const std::optional<Level> threshold = levelFromName(fail_on);
  if (!threshold && fail_on != "never") {
    return reportError("--fail-on must be error, warning, note or never (got '" + fail_on + "')");
  }
  const std::string color = options["color"].as<std::string>();
  if (color != "auto" && color != "always" && color != "never") {
    return reportError("--color must be auto, always or never (got '" + color + "')");
  }
  CheckSettings settings;
  settings.engine.selection.select = splitList(options, "select");
  settings.engine.selection.ignore = splitList(options, "ignore");
  if (auto error = checkSelectors(settings.engine.selection.select, "select")) return reportError(*error);
  if (auto error = checkSelectors(settings.engine.selection.ignore, "ignore")) return reportError(*error);
  settings.rules.safe_globals = splitList(options, "safe-global");
  settings.rules.benign_globals = splitList(options, "benign-global");
  settings.load.check_crc = options.count("check-crc") != 0;

  if (options.count("state-dict") != 0) {
    ObjectPath path;
    std::string error;
    if (!parsePathSpec(options["state-dict"].as<std::string>(), &path, &error)) return reportError("--state-dict: " + error);
    settings.wanted_state_dict = std::move(path);
  }
  if (options.count("model") != 0) {
    Result<ModelSpec> loaded = model::loadModelDefinition(options["model"].as<std::string>(), std::nullopt);
    if (!loaded) return reportError("--model: " + loaded.error().message);
    settings.model = std::move(*loaded);
  }

  reports::CheckReport report;
  report.rules = &rules::allRules();
  report.tool_version = CKPTLINT_VERSION;
  report.command_line = commandLine();
  report.fail_on = threshold.value_or(Level::kError);
  report.fail_on_never = !threshold.has_value();
  for (const std::string& file : files) {
    report.files.push_back(checkFile(file, settings));
  }
  if (needsArtifactHashes(*outputs)) {
    for (reports::FileResult& file : report.files) {
      Result<std::string> digest = io::sha256File(file.file);
      if (digest) file.sha256 = *digest;
    }
  }
  const bool unreadable = anyUnreadable(report);
  report.execution_successful = !unreadable;
  report.exit_code = static_cast<int>(unreadable                                          ? ExitStatus::kError
                                      : reports::summarize(report).at_or_above_fail_on > 0 ? ExitStatus::kFindings
                                                                                          : ExitStatus::kClean);
  if (auto error = writeReportOutputs(report, *outputs, colorWanted(color))) return reportError(*error);
  return static_cast<ExitStatus>(report.exit_code);
}

}  // namespace ckptlint::cli
