// `ckptlint inspect FILE`: what a checkpoint holds, read without executing it.
#include <iostream>

#include "linter/cli/command_table.h"
#include "linter/formats/load.h"
#include "reports/inspect_report.h"

namespace ckptlint::cli {

void addInspectOptions(po::options_description& visible, po::options_description& hidden,
                       po::positional_options_description& positional) {
  visible.add_options()
      ("format,f", po::value<std::string>()->default_value("text")->value_name("FMT"), "output format: text or json")
      ("state-dict", po::value<std::string>()->value_name("PATH"),
       "show only this state dict: slash-separated keys (model/ema) or a JSON array ([\"model\"])");
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "checkpoint file");
  positional.add("file", -1);
}

namespace {

// Restricts the checkpoint to one state dict; false (with a message) if there is none there.
bool selectStateDict(Checkpoint& checkpoint, const std::string& spec, std::string* error) {
  ObjectPath wanted;
  if (!parsePathSpec(spec, &wanted, error)) return false;
  for (const StateDict& state_dict : checkpoint.state_dicts) {
    if (!pathMatchesSpec(state_dict.path, wanted)) continue;
    std::vector<TensorInfo> tensors;
    for (std::size_t index : state_dict.tensors) tensors.push_back(checkpoint.tensors[index]);
    StateDict selected = state_dict;
    for (std::size_t i = 0; i < selected.tensors.size(); ++i) selected.tensors[i] = i;
    checkpoint.tensors = std::move(tensors);
    checkpoint.state_dicts = {std::move(selected)};
    return true;
  }
  *error = "no state dict at " + displayPath(wanted) + "; found: ";
  if (checkpoint.state_dicts.empty()) *error += "none";
  for (std::size_t i = 0; i < checkpoint.state_dicts.size(); ++i) {
    *error += (i > 0 ? ", " : "") + displayPath(checkpoint.state_dicts[i].path);
  }
  return false;
}

}  // namespace

ExitStatus runInspect(const po::variables_map& options) {
  const std::string format = options["format"].as<std::string>();
  if (format != "text" && format != "json") {
    return reportError("unknown --format '" + format + "' for inspect (use text or json)");
  }
  if (options.count("file") == 0) return reportError("inspect needs a checkpoint file (see 'ckptlint inspect --help')");
  const auto& files = options["file"].as<std::vector<std::string>>();
  if (files.size() != 1) return reportError("inspect takes exactly one checkpoint file");
  const std::string& path = files.front();

  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(path);
  if (!loaded) return reportError(path + ": " + loaded.error().message);
  Checkpoint& checkpoint = loaded->checkpoint;
  if (options.count("state-dict") != 0) {
    std::string error;
    if (!selectStateDict(checkpoint, options["state-dict"].as<std::string>(), &error)) {
      return reportError(path + ": " + error);
    }
  }
  if (format == "json") {
    reports::writeInspectJson(checkpoint, std::cout);
  } else {
    reports::writeInspectText(checkpoint, std::cout);
  }
  std::cout.flush();
  if (!std::cout) return reportError("cannot write the output (" + path + ")");
  return ExitStatus::kClean;
}

}  // namespace ckptlint::cli
