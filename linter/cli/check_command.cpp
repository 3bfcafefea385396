// `ckptlint check SNAPSHOT...`: reads each snapshot without executing it, runs the rules
// (against a model definition when given), and reports in the requested formats.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "linter/cli/apply_fixes.h"
#include "linter/cli/check_inputs.h"
#include "linter/cli/command_table.h"
#include "linter/cli/parallel_for.h"
#include "linter/cli/progress_bar.h"
#include "linter/cli/report_outputs.h"
#include "linter/core/engine.h"
#include "linter/formats/load.h"
#include "linter/formats/mapped_tensor_bytes.h"
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
      ("check-values", "read tensor values: NaN/Inf in floating tensors (CKL203; reads every floating tensor's bytes)")
      ("safe-global", po::value<std::vector<std::string>>()->value_name("MODULE.NAME"),
       "trust this global as torch.serialization.add_safe_globals would (CKL301/302 stay quiet; "
       "repeatable, comma-separated)")
      ("benign-global", po::value<std::vector<std::string>>()->value_name("MODULE.NAME"),
       "treat this global (or 'package.*') as benign: CKL302 instead of CKL301 (repeatable)")
      ("color", po::value<std::string>()->default_value("auto")->value_name("WHEN"),
       "colour text output: auto (a terminal, honouring NO_COLOR and CLICOLOR_FORCE), always or never")
      ("jobs,j", po::value<int>()->value_name("N"),
       "check N files at a time (default: the number of cores; 1: one after another); the report "
       "order does not depend on it");
  addFixOptions(visible);
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "checkpoint files and directories");
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

// Naming a rule that reads values without --check-values would silently check nothing.
std::optional<std::string> checkValueRulesSelectable(const EngineOptions& engine) {
  if (engine.check_values) return std::nullopt;
  for (const std::string& selector : engine.selection.select) {
    const Rule* rule = rules::findRule(selector);
    if (rule != nullptr && rule->info.needs_values) {
      return "--select " + selector + ": " + std::string(rule->info.id) + " reads tensor values and runs only with --check-values";
    }
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
  ProgressBar* values_progress = nullptr;  // with --check-values
  FixSettings fix;                         // --diff, --apply
  // A single file's checkpoint is never freed: the process exits right after the report, and
  // freeing a large one (a million small pickle nodes for 100k tensors) took a tenth of the run.
  bool keep_checkpoint_until_exit = false;
};

// Where that checkpoint stays reachable, so leak checkers count it as kept rather than lost.
const Result<formats::LoadedCheckpoint>* checkpoint_kept_until_exit = nullptr;

std::vector<Finding> findingsOf(const formats::LoadedCheckpoint& loaded, const CheckSettings& settings);

reports::FileResult checkFile(const std::string& path, const CheckSettings& settings) {
  reports::FileResult result;
  result.file = path;
  auto loaded_storage = std::make_unique<Result<formats::LoadedCheckpoint>>(formats::loadCheckpoint(path, settings.load));
  Result<formats::LoadedCheckpoint>& loaded = *loaded_storage;
  if (settings.keep_checkpoint_until_exit) checkpoint_kept_until_exit = loaded_storage.release();
  if (!loaded) {
    // Reported even when --ignore names CKL001: an unreadable file is never clean.
    result.findings.push_back(rules::unreadableCheckpointFinding(path, loaded.error().message));
    return result;
  }
  result.findings = findingsOf(*loaded, settings);
  if (settings.fix.active()) {  // --diff, --apply
    fixFile(*loaded, settings.wanted_state_dict, settings.fix, settings.load,
            [&settings](const formats::LoadedCheckpoint& fixed) { return findingsOf(fixed, settings); }, result);
  }
  return result;
}

// The selected rules' findings for one readable checkpoint.
std::vector<Finding> findingsOf(const formats::LoadedCheckpoint& loaded, const CheckSettings& settings) {
  const Checkpoint& checkpoint = loaded.checkpoint;
  const StateDictChoice choice = chooseStateDict(checkpoint, settings.wanted_state_dict);
  AnalysisCache cache;
  std::optional<formats::MappedTensorBytes> values;
  if (settings.engine.check_values) {
    values.emplace(loaded, [&settings](uint64_t more_total, uint64_t more_done) {
      if (settings.values_progress != nullptr) settings.values_progress->add(more_total, more_done);
    });
  }
  const CheckContext context{checkpoint, choice, settings.model ? &*settings.model : nullptr, cache, &settings.rules,
                             values ? &*values : nullptr};
  // Like an unreadable file, pickle bytes that could not be scanned are never hidden; CKL001
  // comes first, as in the registry.
  std::vector<Finding> findings = rules::unscannedPickleFindings(checkpoint);
  for (Finding& finding : runRules(rules::allRules(), context, settings.engine)) {
    findings.push_back(std::move(finding));
  }
  return findings;
}

// One input, whatever happens: an input known to be unusable, a file that cannot be read, or
// an unexpected failure (out of memory) is a CKL001 finding for that input alone.
reports::FileResult checkInput(const CheckInput& input, const CheckSettings& settings, bool with_sha256) {
  if (input.problem) return {input.path, {rules::unreadableCheckpointFinding(input.path, *input.problem)}, ""};
  reports::FileResult result;
  try {
    result = checkFile(input.path, settings);
  } catch (const std::exception& error) {
    return {input.path, {rules::unreadableCheckpointFinding(input.path, std::string("internal error: ") + error.what())}, ""};
  }
  if (with_sha256) {
    Result<std::string> digest = io::sha256File(input.path);
    if (digest) result.sha256 = *digest;
  }
  return result;
}

unsigned jobCount(const po::variables_map& options) {
  if (options.count("jobs") != 0) return static_cast<unsigned>(options["jobs"].as<int>());
  return std::max(1u, std::thread::hardware_concurrency());
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
  if (options.count("jobs") != 0 && options["jobs"].as<int>() < 1) {
    return reportError("-j/--jobs must be at least 1 (got " + std::to_string(options["jobs"].as<int>()) + ")");
  }
  CheckSettings settings;
  settings.engine.selection.select = splitList(options, "select");
  settings.engine.selection.ignore = splitList(options, "ignore");
  if (auto error = checkSelectors(settings.engine.selection.select, "select")) return reportError(*error);
  if (auto error = checkSelectors(settings.engine.selection.ignore, "ignore")) return reportError(*error);
  settings.rules.safe_globals = splitList(options, "safe-global");
  settings.rules.benign_globals = splitList(options, "benign-global");
  settings.load.check_crc = options.count("check-crc") != 0;
  settings.engine.check_values = options.count("check-values") != 0;
  if (auto error = checkValueRulesSelectable(settings.engine)) return reportError(*error);
  ProgressBar values_progress("ckptlint: checking values");
  if (settings.engine.check_values) settings.values_progress = &values_progress;

  Result<FixSettings> fix = parseFixSettings(options);
  if (!fix) return reportError(fix.error().message);
  settings.fix = *fix;

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
  const std::vector<CheckInput> inputs = expandCheckInputs(files);
  if (auto error = checkFixInputs(settings.fix, inputs)) return reportError(*error);
  if (auto error = checkOutputsAreNotInputs(*outputs, inputs)) return reportError(*error);
  settings.keep_checkpoint_until_exit = inputs.size() == 1;
  const bool with_sha256 = needsArtifactHashes(*outputs);
  // Threads share only read-only data: the settings (model spec included) and the rule
  // registry (built above by report.rules, before any thread starts). Each file has its own
  // result slot.
  report.files.resize(inputs.size());
  parallelFor(inputs.size(), jobCount(options),
              [&](std::size_t i) { report.files[i] = checkInput(inputs[i], settings, with_sha256); });
  values_progress.finish();  // the line is gone before any report is written
  const bool unreadable = anyUnreadable(report) || anyFixFailed(report);
  report.execution_successful = !unreadable;
  report.exit_code = static_cast<int>(unreadable                                          ? ExitStatus::kError
                                      : reports::summarize(report).at_or_above_fail_on > 0 ? ExitStatus::kFindings
                                                                                          : ExitStatus::kClean);
  if (auto error = writeReportOutputs(report, *outputs, colorWanted(color))) return reportError(*error);
  return static_cast<ExitStatus>(report.exit_code);
}

}  // namespace ckptlint::cli
