// Where `check` writes its reports: --format to stdout, each --output FORMAT:FILE to a file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linter/cli/check_inputs.h"
#include "linter/cli/command_table.h"
#include "linter/core/result.h"
#include "reports/check_report.h"

namespace ckptlint::cli {

struct ReportOutput {
  std::string format;  // text, json, sarif, github
  std::string file;    // empty: stdout
};

/// --format, --output, --fail-on, --color.
void addReportOptions(po::options_description& visible);

/// stdout's format first, then every --output in order. Unknown formats are errors.
Result<std::vector<ReportOutput>> parseReportOutputs(const po::variables_map& options);

/// Refuses an --output FILE that is one of the checked files (a typo would replace a
/// checkpoint with its report).
std::optional<std::string> checkOutputsAreNotInputs(const std::vector<ReportOutput>& outputs,
                                                    const std::vector<CheckInput>& inputs);

/// SARIF records each file's sha-256, which reads every byte: only then is it computed.
bool needsArtifactHashes(const std::vector<ReportOutput>& outputs);

/// Writes every report; files are replaced atomically. The first error, if any.
std::optional<std::string> writeReportOutputs(const reports::CheckReport& report,
                                              const std::vector<ReportOutput>& outputs, bool color_on_stdout);

}  // namespace ckptlint::cli
