// The analysis `check` runs, shared with `baseline create` (whose baseline must hold exactly
// what `check` would report): the rule options, and reading + linting every input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linter/cli/apply_fixes.h"
#include "linter/cli/check_inputs.h"
#include "linter/cli/command_table.h"
#include "linter/cli/progress_bar.h"
#include "linter/core/engine.h"
#include "linter/core/model_spec.h"
#include "linter/core/rule.h"
#include "linter/formats/load.h"
#include "reports/check_report.h"

namespace ckptlint::cli {

/// What stays the same for every file of one run.
struct CheckSettings {
  std::optional<ObjectPath> wanted_state_dict;
  std::optional<ModelSpec> model;
  EngineOptions engine;
  RuleSettings rules;
  formats::LoadOptions load;
  ProgressBar* values_progress = nullptr;  // with --check-values
  FixSettings fix;                         // --diff, --apply (check only)
  unsigned jobs = 1;                       // files checked at a time
  // A single file's checkpoint is never freed: the process exits right after the report, and
  // freeing a large one (a million small pickle nodes for 100k tensors) took a tenth of the run.
  bool keep_checkpoint_until_exit = false;
};

/// The options that decide what is found: --model, --state-dict, --select, --ignore,
/// --check-crc, --check-values, --safe-global, --benign-global, -j, --level, --benign-key,
/// --rename, and --config/--isolated (a command with these reads .ckptlint.cfg: config_file.h).
void addAnalysisOptions(po::options_description& visible);

/// Reads those options into `settings` (loading the model definition). The error names the option.
std::optional<std::string> parseAnalysisSettings(const po::variables_map& options, CheckSettings& settings);

/// Checks every input, settings.jobs at a time: one result per input, in input order. An input
/// that cannot be read is a CKL001 finding of its own result (never an exception).
std::vector<reports::FileResult> checkAllInputs(const std::vector<CheckInput>& inputs, const CheckSettings& settings,
                                                bool with_sha256);

/// Whether this run's settings run the rule (selected, and given what it needs).
bool ruleRunsWith(const CheckSettings& settings, std::string_view rule_id);

/// Whether any result holds CKL001 (a file that could not be read in full).
bool anyUnreadable(const std::vector<reports::FileResult>& files);

}  // namespace ckptlint::cli
