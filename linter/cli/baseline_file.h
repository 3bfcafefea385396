// The CLI side of baseline files: where a checked file sits relative to the baseline, reading
// a baseline file, and the --baseline option of `check` (reports/baseline.h has the format).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "linter/cli/command_table.h"
#include "linter/core/result.h"
#include "reports/baseline.h"

namespace ckptlint::cli {

/// Where `baseline create` writes when not told, and what `check` reads only when told.
inline constexpr std::string_view kDefaultBaselineFile = ".ckptlint-baseline.json";

/// A checked file's key in the baseline at `baseline_path`: its path relative to the baseline
/// file's folder, both folders resolved (links, "..") and the file's own name kept; an input
/// whose folder cannot be resolved keeps its path made absolute.
reports::BaselineFileKey baselineKeysFor(const std::string& baseline_path);

/// The baseline file's entries; the error is "PATH: what is wrong" (unreadable, malformed).
Result<std::vector<reports::BaselineEntry>> readBaselineFile(const std::string& path);

}  // namespace ckptlint::cli
