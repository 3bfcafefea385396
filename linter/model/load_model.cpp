#include "linter/model/load_model.h"

#include "linter/formats/file_kind.h"
#include "linter/formats/load.h"
#include "linter/formats/sharded.h"
#include "linter/io/mapped_file.h"
#include "linter/model/from_checkpoint.h"
#include "linter/model/spec_json.h"
#include "linter/model/spec_json_fast.h"
#include "linter/model/torchscript_archive.h"
#include "linter/model/torchscript_loader.h"

namespace ckptlint::model {
namespace {

Result<ModelSpec> readDefinition(const std::string& path, const std::optional<ObjectPath>& state_dict) {
  Result<io::MappedFile> file = io::MappedFile::open(path);
  if (!file) return file.error();
  // Binary formats first: a safetensors header length can begin with the byte '{'.
  // A shard index (JSON with "weight_map") is a checkpoint, read below with its shards.
  if (formats::detectFileKind(file->bytes()) == formats::FileKind::kUnknown && formats::startsLikeJsonObject(file->bytes())) {
    // A valid spec in one SAX pass (it has no "weight_map": unknown members are refused); only
    // other JSON pays for the shard-index test's full parse.
    if (std::optional<ModelSpec> spec = readWellFormedSpec(file->bytes())) return std::move(*spec);
    if (!formats::isShardIndex(file->bytes())) {
      return parseSpecJson(file->bytes());  // its source is what it records (a file name), if anything
    }
  }
  if (isTorchScriptArchive(*file)) return specFromTorchScript(path);
  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(path);
  if (!loaded) return loaded.error();
  // A sharded definition that lost tensors would expect too little: refuse it.
  for (const ReadIssue& issue : loaded->checkpoint.issues) {
    if (issue.kind == ReadIssue::Kind::kShardUnreadable || issue.kind == ReadIssue::Kind::kShardKeyMissing) {
      return makeError("incomplete sharded model definition: " + issue.message);
    }
  }
  Result<ModelSpec> spec = specFromCheckpoint(loaded->checkpoint, state_dict);
  if (spec) spec->source = path;
  return spec;
}

}  // namespace

Result<ModelSpec> loadModelDefinition(const std::string& path, const std::optional<ObjectPath>& state_dict) {
  Result<ModelSpec> spec = readDefinition(path, state_dict);
  if (!spec) return makeError(path + ": " + spec.error().message);
  return spec;
}

}  // namespace ckptlint::model
