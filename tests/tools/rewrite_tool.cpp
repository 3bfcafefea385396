// Test tool: applies key edits to a checkpoint with fix::rewriteCheckpoint, the engine behind
// `--apply`, without the CLI around it. Prints the notes; errors go to stderr with exit 2.
//   rewrite_tool IN OUT [--state-dict PATH] [--strip-prefix P] [--add-prefix P]
//                [--rename FROM=TO]... [--drop KEY]... [--zip64-threshold N] [--max-classic-entries N]
//                [--verify-copied-crc yes|no]
// --strip-prefix/--add-prefix edit every key of the state dict not named by --rename/--drop.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <set>
#include <string>

#include "linter/fix/rewrite_checkpoint.h"

namespace {

using namespace ckptlint;

int fail(const std::string& message) {
  std::cerr << "rewrite_tool: error: " << message << "\n";
  return 2;
}

const StateDict* findStateDict(const Checkpoint& checkpoint, const ObjectPath& spec) {
  for (const StateDict& candidate : checkpoint.state_dicts) {
    if (pathMatchesSpec(candidate.path, spec)) return &candidate;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: rewrite_tool IN OUT [--state-dict PATH] [--strip-prefix P] [--add-prefix P] [--rename FROM=TO]... [--drop KEY]...");
  const std::string in = argv[1];
  const std::string out = argv[2];
  ObjectPath spec;
  std::string strip, add;
  std::vector<Edit> edits;
  fix::RewriteOptions options;
  for (int i = 3; i < argc; ++i) {
    const std::string option = argv[i];
    if (i + 1 >= argc) return fail(option + " needs a value");
    const std::string value = argv[++i];
    if (option == "--state-dict") {
      std::string error;
      if (!parsePathSpec(value, &spec, &error)) return fail(error);
    } else if (option == "--strip-prefix") {
      strip = value;
    } else if (option == "--add-prefix") {
      add = value;
    } else if (option == "--rename") {
      const std::size_t equals = value.find('=');
      if (equals == std::string::npos) return fail("--rename takes FROM=TO");
      edits.push_back({Edit::Op::kRenameKey, value.substr(0, equals), value.substr(equals + 1)});
    } else if (option == "--zip64-threshold") {
      options.zip.zip64_threshold = std::stoull(value);
    } else if (option == "--max-classic-entries") {
      options.zip.max_classic_entries = std::stoull(value);
    } else if (option == "--verify-copied-crc") {  // yes (the default) or no, as --apply without --check-crc
      options.zip.verify_copied_crc = value != "no";
    } else if (option == "--drop") {
      edits.push_back({Edit::Op::kDropKey, value, ""});
    } else {
      return fail("unknown option " + option);
    }
  }
  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(in);
  if (!loaded) return fail(in + ": " + loaded.error().message);
  const StateDict* state_dict = findStateDict(loaded->checkpoint, spec);
  if (state_dict == nullptr) return fail("no state dict at " + displayPath(spec));
  fix::EditPlan plan;
  plan.state_dict = state_dict->path;
  if (!strip.empty() || !add.empty()) {
    // Explicit --rename/--drop edits win over the prefix edits for their keys.
    std::set<std::string> explicit_keys;
    for (const Edit& edit : edits) explicit_keys.insert(edit.from);
    for (std::size_t index : state_dict->tensors) {
      const PathElement& last = loaded->checkpoint.tensors[index].path.back();
      const std::string* key = std::get_if<std::string>(&last);
      if (key == nullptr || explicit_keys.count(*key) != 0) continue;
      if (!strip.empty() && key->rfind(strip, 0) == 0) edits.push_back({Edit::Op::kRenameKey, *key, key->substr(strip.size())});
      if (!add.empty()) edits.push_back({Edit::Op::kRenameKey, *key, add + *key});
    }
  }
  plan.edits = std::move(edits);
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail(out + ": cannot create it");
  Result<fix::RewriteResult> result = fix::rewriteCheckpoint(*loaded, plan, fd, options);
  ::close(fd);
  if (!result) {
    ::unlink(out.c_str());
    return fail(result.error().message);
  }
  for (const std::string& note : result->notes) std::cout << "note: " << note << "\n";
  std::cout << "wrote " << result->bytes_written << " bytes\n";
  return 0;
}
