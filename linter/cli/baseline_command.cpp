// `ckptlint baseline create SNAPSHOT|DIR...`: runs check's analysis and records every finding
// in a baseline file, so that `check --baseline FILE` reports only problems that are new.
//
// Decisions: the file is overwritten when it is a ckptlint baseline (re-creating is how a
// baseline is refreshed, as with ESLint's suppressions file) and refused when it is anything
// else (a typo must not replace a checkpoint). An input that cannot be read (CKL001) is never
// a known problem: nothing is written and the command exits 2.
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <set>

#include "linter/cli/baseline_file.h"
#include "linter/cli/check_analysis.h"
#include "linter/cli/check_inputs.h"
#include "linter/cli/command_table.h"
#include "linter/cli/report_outputs.h"
#include "linter/core/printable.h"
#include "linter/io/atomic_write.h"

namespace ckptlint::cli {

void addBaselineOptions(po::options_description& visible, po::options_description& hidden,
                        po::positional_options_description& positional) {
  visible.add_options()
      ("baseline,o", po::value<std::string>()->value_name("FILE"),
       ("the baseline file to write (default " + std::string(kDefaultBaselineFile) +
        "); an existing one is replaced, any other file is refused")
           .c_str());
  addAnalysisOptions(visible);
  // check's report options, so that one config file serves both commands; not used here.
  po::options_description report_options("check's report options (accepted, not used by baseline create)");
  addReportOptions(report_options);
  visible.add(report_options);
  hidden.add_options()
      ("action", po::value<std::string>(), "what to do with baselines: create")
      ("file", po::value<std::vector<std::string>>(), "checkpoint files and directories");
  positional.add("action", 1).add("file", -1);
}

namespace {

// Whether the file starts like a baseline: its first bytes name the format (a checkpoint named
// by mistake is not read in full).
bool startsLikeBaseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.find(reports::kBaselineFormat) != std::string::npos;
}

// Whether `path` may be written: absent, or a baseline (whose refresh this is).
std::optional<std::string> checkReplaceable(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return std::nullopt;
  if (!S_ISREG(info.st_mode)) return path + " exists and is not a file; name another baseline file";
  if (!startsLikeBaseline(path) || !readBaselineFile(path)) {
    return path + " exists and is not a ckptlint baseline; not replacing it (remove it or name another file)";
  }
  return std::nullopt;
}

ExitStatus createBaseline(const po::variables_map& options) {
  if (options.count("file") == 0) return reportError("baseline create needs at least one checkpoint file or folder");
  if (options.count("output") != 0) return reportError("baseline create writes no report: --output is for check");
  const std::string target =
      options.count("baseline") != 0 ? options["baseline"].as<std::string>() : std::string(kDefaultBaselineFile);
  CheckSettings settings;
  if (auto error = parseAnalysisSettings(options, settings)) return reportError(*error);
  ProgressBar values_progress("ckptlint: checking values");
  if (settings.engine.check_values) settings.values_progress = &values_progress;
  const std::vector<CheckInput> inputs = expandCheckInputs(options["file"].as<std::vector<std::string>>());
  if (auto error = checkReplaceable(target)) return reportError(*error);

  const std::vector<reports::FileResult> results = checkAllInputs(inputs, settings, /*with_sha256=*/false);
  values_progress.finish();
  if (anyUnreadable(results)) {
    for (const reports::FileResult& file : results) {
      for (const Finding& finding : file.findings) {
        if (finding.rule_id == "CKL001") reportError(file.file + ": " + finding.message);
      }
    }
    return reportError("no baseline written: a file that cannot be read is never a known problem (CKL001)");
  }
  const std::vector<reports::BaselineEntry> entries = reports::baselineEntries(results, baselineKeysFor(target));
  if (std::optional<Error> error = io::writeFileAtomically(target, reports::baselineJson(entries, CKPTLINT_VERSION),
                                                           /*overwrite=*/true)) {
    return reportError("cannot write " + target + ": " + error->message);
  }
  std::set<std::string> files_with_entries;
  for (const reports::BaselineEntry& entry : entries) files_with_entries.insert(entry.file);
  std::cout << "ckptlint: wrote " << entries.size() << (entries.size() == 1 ? " entry" : " entries") << " ("
            << files_with_entries.size() << " of " << results.size() << (results.size() == 1 ? " file" : " files")
            << " with findings) to " << printable(target) << '\n';
  return ExitStatus::kClean;
}

}  // namespace

ExitStatus runBaseline(const po::variables_map& options) {
  const std::string action = options.count("action") != 0 ? options["action"].as<std::string>() : "";
  if (action == "create") return createBaseline(options);
  if (action.empty()) return reportError("baseline needs an action: create (see 'ckptlint baseline --help')");
  return reportError("unknown baseline action '" + action + "'" + didYouMean(action, {"create"}) +
                     " (see 'ckptlint baseline --help')");
}

}  // namespace ckptlint::cli
