// `ckptlint check SNAPSHOT...`: reads each snapshot without executing it, runs the rules
// (against a model definition when given), and reports in the requested formats. The analysis
// itself (options, reading, rules) is check_analysis.cpp, shared with `baseline create`.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "linter/cli/apply_fixes.h"
#include "linter/cli/baseline_file.h"
#include "linter/cli/check_analysis.h"
#include "linter/cli/check_inputs.h"
#include "linter/cli/command_table.h"
#include "linter/cli/progress_bar.h"
#include "linter/cli/report_outputs.h"
#include "reports/check_summary.h"
#include "rules/registry.h"

namespace ckptlint::cli {

void addCheckOptions(po::options_description& visible, po::options_description& hidden,
                     po::positional_options_description& positional) {
  addAnalysisOptions(visible);
  addReportOptions(visible);
  visible.add_options()
      ("baseline", po::value<std::string>()->value_name("FILE"),
       "hide the known problems listed in FILE (ckptlint baseline create); report only new ones, and "
       "the entries that no longer occur");
  addFixOptions(visible);
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "checkpoint files and directories");
  positional.add("file", -1);
}

namespace {

bool colorWanted(const std::string& when) {
  if (when == "always") return true;
  if (when == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force != nullptr && *force != '\0' && std::string(force) != "0") return true;
  return isatty(STDOUT_FILENO) == 1;
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
  Result<FixSettings> fix = parseFixSettings(options);
  if (!fix) return reportError(fix.error().message);
  settings.fix = *fix;
  if (auto error = parseAnalysisSettings(options, settings)) return reportError(*error);
  // Read before the analysis: a malformed baseline fails at once, not after every file.
  std::optional<std::vector<reports::BaselineEntry>> baseline;
  if (options.count("baseline") != 0) {
    Result<std::vector<reports::BaselineEntry>> entries = readBaselineFile(options["baseline"].as<std::string>());
    if (!entries) return reportError(entries.error().message);
    baseline = std::move(*entries);
  }
  ProgressBar values_progress("ckptlint: checking values");
  if (settings.engine.check_values) settings.values_progress = &values_progress;

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
  report.files = checkAllInputs(inputs, settings, needsArtifactHashes(*outputs));
  values_progress.finish();  // the line is gone before any report is written
  if (baseline) {
    reports::applyBaseline(*baseline, baselineKeysFor(options["baseline"].as<std::string>()),
                           [&settings](std::string_view rule_id) { return ruleRunsWith(settings, rule_id); }, report);
  }
  const bool unreadable = anyUnreadable(report.files) || anyFixFailed(report);
  report.execution_successful = !unreadable;
  report.exit_code = static_cast<int>(unreadable                                          ? ExitStatus::kError
                                      : reports::summarize(report).at_or_above_fail_on > 0 ? ExitStatus::kFindings
                                                                                          : ExitStatus::kClean);
  if (auto error = writeReportOutputs(report, *outputs, colorWanted(color))) return reportError(*error);
  return static_cast<ExitStatus>(report.exit_code);
}

}  // namespace ckptlint::cli
