#include "linter/cli/report_outputs.h"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "linter/cli/same_file.h"
#include "linter/io/atomic_write.h"

namespace ckptlint::cli {

namespace {

constexpr const char* kFormats[] = {"text", "json", "sarif", "github"};

bool knownFormat(const std::string& format) {
  return std::any_of(std::begin(kFormats), std::end(kFormats), [&](const char* known) { return format == known; });
}

void writeReport(const reports::CheckReport& report, const std::string& format, std::ostream& out, bool color) {
  if (format == "json") {
    reports::writeCheckJson(report, out);
  } else if (format == "sarif") {
    reports::writeCheckSarif(report, out);
  } else if (format == "github") {
    reports::writeCheckGithub(report, out);
  } else {
    reports::writeCheckText(report, out, color);
  }
}

}  // namespace

void addReportOptions(po::options_description& visible) {
  visible.add_options()
      ("format,f", po::value<std::string>()->default_value("text")->value_name("FMT"),
       "report on stdout: text, json, sarif or github")
      ("output", po::value<std::vector<std::string>>()->value_name("FMT:FILE"),
       "also write a report to FILE (repeatable), e.g. sarif:results.sarif")
      ("fail-on", po::value<std::string>()->default_value("error")->value_name("LEVEL"),
       "exit 1 when a finding reaches LEVEL: error, warning, note or never")
      ("color", po::value<std::string>()->default_value("auto")->value_name("WHEN"),
       "colour text output: auto (a terminal, honouring NO_COLOR and CLICOLOR_FORCE), always or never");
}

Result<std::vector<ReportOutput>> parseReportOutputs(const po::variables_map& options) {
  std::vector<ReportOutput> outputs;
  const std::string format = options["format"].as<std::string>();
  if (!knownFormat(format)) return Error{"unknown --format '" + format + "' (use text, json, sarif or github)"};
  outputs.push_back({format, ""});
  if (options.count("output") == 0) return outputs;
  for (const std::string& spec : options["output"].as<std::vector<std::string>>()) {
    const std::size_t colon = spec.find(':');
    if (colon == std::string::npos || colon + 1 == spec.size()) {
      return Error{"--output takes FORMAT:FILE, e.g. sarif:results.sarif (got '" + spec + "')"};
    }
    ReportOutput output{spec.substr(0, colon), spec.substr(colon + 1)};
    if (!knownFormat(output.format)) {
      return Error{"unknown format '" + output.format + "' in --output (use text, json, sarif or github)"};
    }
    outputs.push_back(std::move(output));
  }
  return outputs;
}

std::optional<std::string> checkOutputsAreNotInputs(const std::vector<ReportOutput>& outputs,
                                                    const std::vector<CheckInput>& inputs) {
  for (const ReportOutput& output : outputs) {
    if (output.file.empty()) continue;
    for (const CheckInput& input : inputs) {
      if (wouldReplace(output.file, input.path)) {
        return "--output " + output.format + ":" + output.file + " would replace the checked file " + input.path +
               " with the report; name another file";
      }
    }
  }
  return std::nullopt;
}

bool needsArtifactHashes(const std::vector<ReportOutput>& outputs) {
  return std::any_of(outputs.begin(), outputs.end(), [](const ReportOutput& output) { return output.format == "sarif"; });
}

std::optional<std::string> writeReportOutputs(const reports::CheckReport& report,
                                              const std::vector<ReportOutput>& outputs, bool color_on_stdout) {
  for (const ReportOutput& output : outputs) {
    if (output.file.empty()) {
      writeReport(report, output.format, std::cout, color_on_stdout);
      std::cout.flush();
      if (!std::cout) return std::string("cannot write the report to stdout");
      continue;
    }
    std::ostringstream text;
    writeReport(report, output.format, text, false);
    if (auto error = io::writeFileAtomically(output.file, text.str(), /*overwrite=*/true)) {
      return "cannot write " + output.file + ": " + error->message;
    }
  }
  return std::nullopt;
}

}  // namespace ckptlint::cli
