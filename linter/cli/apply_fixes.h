// `check --diff` and `check --apply`: the options, and planning / writing / verifying the
// fixes of one checked file. check_command.cpp calls in here; the work is in linter/fix
// (planning, verification), the format writers (rewrite_checkpoint.h) and io (PendingFile).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "linter/cli/check_inputs.h"
#include "linter/cli/command_table.h"
#include "linter/core/result.h"
#include "linter/formats/load.h"
#include "reports/check_report.h"

namespace ckptlint::cli {

struct FixSettings {
  enum class Mode { kNone, kDiff, kApply };
  Mode mode = Mode::kNone;
  bool unsafe = false;              // --unsafe-fixes
  std::string output;               // -o/--output-checkpoint: write there instead of in place
  bool force = false;               // --force: -o may replace an existing file
  bool backup = true;               // in place: keep the original as FILE + backup_suffix
  std::string backup_suffix = ".bak";
  bool active() const { return mode != Mode::kNone; }
};

void addFixOptions(po::options_description& visible);
/// The fix options, refusing combinations that make no sense (-o without --apply, ...).
Result<FixSettings> parseFixSettings(const po::variables_map& options);
/// With --apply: refuses -o when the run has several inputs (after directories are expanded),
/// and two inputs that are one file (the same path twice, a link to another input): fixing it
/// twice at once would race, and the second report would be of a file that changed under it.
std::optional<std::string> checkFixInputs(const FixSettings& settings, const std::vector<CheckInput>& inputs);

/// Runs the rules of this check on another checkpoint (the rewritten one), as for the input.
using RuleRunner = std::function<std::vector<Finding>(const formats::LoadedCheckpoint& checkpoint)>;

/// Plans the fixes of `result.findings` for `loaded`'s checked state dict and records the plan
/// in `result.fixes`. With --apply also writes, verifies and puts the fixed file in place; then
/// `result.findings` become the findings of the fixed file. A failure leaves the original
/// untouched, is recorded in `result.fixes->error` and printed on stderr.
void fixFile(const formats::LoadedCheckpoint& loaded, const std::optional<ObjectPath>& wanted_state_dict,
             const FixSettings& settings, const formats::LoadOptions& load_options, const RuleRunner& run_rules,
             reports::FileResult& result);

/// Whether an --apply of some file failed (the run then exits 2).
bool anyFixFailed(const reports::CheckReport& report);

}  // namespace ckptlint::cli
