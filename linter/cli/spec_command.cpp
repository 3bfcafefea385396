// `ckptlint spec DEF`: freezes a model definition (TorchScript archive, reference checkpoint,
// or a spec to normalise) as a JSON spec, for CI runs with no Python or LibTorch.
#include <iostream>

#include "linter/cli/command_table.h"
#include "linter/io/atomic_write.h"
#include "linter/model/load_model.h"
#include "linter/model/spec_json.h"

namespace ckptlint::cli {

void addSpecOptions(po::options_description& visible, po::options_description& hidden,
                    po::positional_options_description& positional) {
  visible.add_options()
      ("output,o", po::value<std::string>()->value_name("OUT"), "write the spec to OUT instead of stdout")
      ("force", "overwrite OUT if it exists")
      ("state-dict", po::value<std::string>()->value_name("PATH"),
       "for a reference checkpoint: the state dict to take, as slash-separated keys (model/ema) "
       "or a JSON array ([\"model\"])");
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "model definition file");
  positional.add("file", -1);
}

namespace {

std::string fileName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

ExitStatus runSpec(const po::variables_map& options) {
  if (options.count("file") == 0) return reportError("spec needs a model definition file (see 'ckptlint spec --help')");
  const auto& files = options["file"].as<std::vector<std::string>>();
  if (files.size() != 1) return reportError("spec takes exactly one model definition file");
  const std::string& path = files.front();
  if (options.count("force") != 0 && options.count("output") == 0) return reportError("--force needs -o OUT");

  std::optional<ObjectPath> state_dict;
  if (options.count("state-dict") != 0) {
    std::string error;
    if (!parsePathSpec(options["state-dict"].as<std::string>(), &state_dict.emplace(), &error)) {
      return reportError("--state-dict: " + error);
    }
  }
  Result<ModelSpec> spec = model::loadModelDefinition(path, state_dict);
  if (!spec) return reportError(spec.error().message);
  if (state_dict && spec->source_kind != "checkpoint") {
    return reportError(path + ": --state-dict applies to a reference checkpoint, not to a " + spec->source_kind);
  }
  // The spec is committed: record the definition's file name, not a machine's path to it. A
  // spec being normalised keeps the source it records.
  if (spec->source_kind != "spec") spec->source = fileName(spec->source);
  Result<std::string> text = model::writeSpecJson(*spec);
  if (!text) return reportError(path + ": " + text.error().message);

  if (options.count("output") == 0) {
    std::cout << *text << std::flush;
    if (!std::cout) return reportError("cannot write the spec to stdout");
    return ExitStatus::kClean;
  }
  const std::string& out = options["output"].as<std::string>();
  const bool overwrite = options.count("force") != 0;
  if (std::optional<Error> error = io::writeFileAtomically(out, *text, overwrite)) {
    const bool exists = !overwrite && error->message == "already exists";
    return reportError(out + ": " + error->message + (exists ? " (use --force to overwrite)" : ""));
  }
  return ExitStatus::kClean;
}

}  // namespace ckptlint::cli
