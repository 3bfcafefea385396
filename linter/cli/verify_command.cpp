// `ckptlint verify SNAPSHOT --model MODEL.ts`: the LibTorch load proof. The snapshot is read by
// ckptlint's own reader (its pickle is never executed), its tensors handed to LibTorch as views
// over the memory-mapped bytes, and loaded into the TorchScript module as a C++ deployment
// would, with PyTorch's strict load_state_dict verdict. Exit 0 loaded, 1 not loaded, 2 no
// verdict (usage, I/O, unreadable input, no plugin).
#include <iostream>

#include "linter/cli/command_table.h"
#include "linter/core/engine.h"
#include "linter/core/text.h"
#include "linter/formats/load.h"
#include "linter/io/mapped_file.h"
#include "linter/model/tensors_for_load.h"
#include "linter/model/torchscript_archive.h"
#include "linter/model/torchscript_loader.h"
#include "reports/finding_json.h"
#include "reports/json_writer.h"
#include "reports/object_path_json.h"

namespace ckptlint::cli {

void addVerifyOptions(po::options_description& visible, po::options_description& hidden,
                      po::positional_options_description& positional) {
  visible.add_options()
      ("model,m", po::value<std::string>()->value_name("MODEL"),
       "the TorchScript archive (torch.jit.save) to load the weights into; LibTorch runs its TorchScript "
       "code: trusted files only")
      ("state-dict", po::value<std::string>()->value_name("PATH"),
       "the state dict to load: slash-separated keys (model) or a JSON array; default: as check chooses")
      ("format,f", po::value<std::string>()->default_value("text")->value_name("FMT"), "report on stdout: text or json")
      ("checksums", "json: add each model tensor's CRC-32 after the load (its bytes, contiguous)");
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "snapshot file");
  positional.add("file", -1);
}

namespace {

struct VerifyRun {
  std::string snapshot;
  std::string model;
  ObjectPath state_dict;
  std::vector<std::string> notes;
  model::WeightsLoad load;
};

// Nothing to load into unless MODEL is a TorchScript archive: other model definitions hold no
// module to run (check --model compares against them statically).
std::optional<std::string> checkTorchScriptModel(const std::string& path) {
  Result<io::MappedFile> file = io::MappedFile::open(path);
  if (!file) return "--model " + path + ": " + file.error().message;
  if (!model::isTorchScriptArchive(*file)) {
    return "verify needs a TorchScript model: " + path +
           " is not a torch.jit.save archive (for a spec or a reference checkpoint use 'ckptlint check --model')";
  }
  return std::nullopt;
}

void writeText(const VerifyRun& run, std::ostream& out) {
  for (const std::string& note : run.notes) out << "note: " << note << '\n';
  const model::WeightsLoad& load = run.load;
  const std::string into = run.model + (load.module_type.empty() ? "" : " (" + load.module_type + ")");
  if (load.ok) {
    out << "verify: loaded " << load.loaded << " tensors of " << run.snapshot << " into " << into << ": OK\n";
    return;
  }
  out << "verify: " << run.snapshot << " does not load into " << into << "; PyTorch's load_state_dict raises:\n"
      << load.pytorch_message << '\n';
  std::string counts;
  auto count = [&counts](std::size_t n, const char* what) {
    if (n > 0) counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  count(load.missing.size(), "missing");
  count(load.unexpected.size(), "unexpected");
  count(load.size_mismatch.size(), load.size_mismatch.size() == 1 ? "size mismatch" : "size mismatches");
  count(load.errors.size(), load.errors.size() == 1 ? "other error" : "other errors");
  out << "verify: FAILED (" << counts << "; " << load.loaded << " of " << load.model_tensors << " model tensors loaded)\n";
}

void writeShape(reports::JsonWriter& json, const std::vector<int64_t>& shape) {
  json.beginArray();
  for (int64_t size : shape) json.value(size);
  json.endArray();
}

void writeJson(const VerifyRun& run, std::ostream& out) {
  const model::WeightsLoad& load = run.load;
  reports::JsonWriter json(out);
  json.beginObject();
  json.key("ok").value(load.ok);
  json.key("snapshot").value(run.snapshot);
  json.key("state_dict");
  reports::writeObjectPath(json, run.state_dict);
  json.key("model").value(run.model);
  json.key("module_type").value(load.module_type);
  json.key("model_tensors").value(load.model_tensors);
  json.key("checkpoint_tensors").value(load.checkpoint_tensors);
  json.key("loaded").value(load.loaded);
  json.key("missing");
  reports::writeStringList(json, load.missing);
  json.key("unexpected");
  reports::writeStringList(json, load.unexpected);
  json.key("size_mismatch").beginArray();
  for (const model::WeightsLoad::SizeMismatch& mismatch : load.size_mismatch) {
    json.beginObject().key("key").value(mismatch.key).key("checkpoint_shape");
    writeShape(json, mismatch.checkpoint_shape);
    json.key("model_shape");
    writeShape(json, mismatch.model_shape);
    json.endObject();
  }
  json.endArray();
  json.key("errors");
  reports::writeStringList(json, load.errors);
  json.key("error_lines");
  reports::writeStringList(json, load.error_lines);
  json.key("pytorch_message").value(load.pytorch_message);
  json.key("notes");
  reports::writeStringList(json, run.notes);
  if (!load.checksums.empty()) {
    json.key("checksums").beginArray();
    for (const model::WeightsLoad::Checksum& checksum : load.checksums) {
      json.nextOnNewLine(2).beginObject().key("key").value(checksum.key).key("dtype").value(checksum.dtype).key("shape");
      writeShape(json, checksum.shape);
      json.key("crc32").value(static_cast<uint64_t>(checksum.crc32)).endObject();
    }
    json.endArray(0);
  }
  json.endObject();
  out << '\n';
}

}  // namespace

ExitStatus runVerify(const po::variables_map& options) {
  const std::string format = options["format"].as<std::string>();
  if (format != "text" && format != "json") return reportError("unknown --format '" + format + "' for verify (use text or json)");
  if (options.count("file") == 0) return reportError("verify needs a snapshot file (see 'ckptlint verify --help')");
  const auto& files = options["file"].as<std::vector<std::string>>();
  if (files.size() != 1) return reportError("verify takes exactly one snapshot file");
  if (options.count("model") == 0) return reportError("verify needs --model MODEL.ts, the TorchScript module to load into");
  if (options.count("checksums") != 0 && format != "json") return reportError("--checksums needs --format json");
  VerifyRun run;
  run.snapshot = files.front();
  run.model = options["model"].as<std::string>();
  std::optional<ObjectPath> wanted;
  if (options.count("state-dict") != 0) {
    std::string error;
    if (!parsePathSpec(options["state-dict"].as<std::string>(), &wanted.emplace(), &error)) return reportError("--state-dict: " + error);
  }
  if (auto error = checkTorchScriptModel(run.model)) return reportError(*error);

  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(run.snapshot);
  if (!loaded) return reportError(run.snapshot + ": " + loaded.error().message);
  for (const ReadIssue& issue : loaded->checkpoint.issues) {
    // Lost tensors would show up as missing keys for a reason that is not the model's.
    if (issue.kind == ReadIssue::Kind::kShardUnreadable || issue.kind == ReadIssue::Kind::kShardKeyMissing) {
      return reportError(run.snapshot + ": incomplete sharded snapshot: " + issue.message);
    }
  }
  const StateDictChoice choice = chooseStateDict(loaded->checkpoint, wanted);
  if (choice.chosen == nullptr) return reportError(run.snapshot + ": no state dict to load: " + choice.problem);
  if (!choice.problem.empty()) run.notes.push_back(choice.problem);
  run.state_dict = choice.chosen->path;
  Result<model::TensorsForLoad> tensors = model::tensorsForLoad(*loaded, *choice.chosen);
  if (!tensors) return reportError(run.snapshot + ": " + tensors.error().message);
  run.notes.insert(run.notes.end(), tensors->notes.begin(), tensors->notes.end());

  Result<model::WeightsLoad> load = model::loadIntoTorchScript(run.model, tensors->tensors, options.count("checksums") != 0);
  if (!load) {
    const bool module_failed = startsWith(load.error().message, "LibTorch cannot load it");
    return reportError((module_failed ? run.model : run.snapshot) + ": " + load.error().message);
  }
  run.load = std::move(*load);
  if (format == "json") {
    writeJson(run, std::cout);
  } else {
    writeText(run, std::cout);
  }
  std::cout.flush();
  if (!std::cout) return reportError("cannot write the output (" + run.snapshot + ")");
  return run.load.ok ? ExitStatus::kClean : ExitStatus::kFindings;
}

}  // namespace ckptlint::cli
