#include "linter/model/load_model.h"

#include "linter/formats/file_kind.h"
#include "linter/formats/load.h"
#include "linter/io/mapped_file.h"
#include "linter/model/from_checkpoint.h"
#include "linter/model/spec_json.h"
#include "linter/model/torchscript_archive.h"
#include "linter/model/torchscript_loader.h"

namespace ckptlint::model {
namespace {

// No checkpoint format starts with '{' (zip "PK", pickle 0x80, safetensors a length), so a
// leading '{' means a JSON document; parseSpecJson then says if it is not a spec.
bool startsLikeJsonObject(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 byte order mark
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

Result<ModelSpec> readDefinition(const std::string& path, const std::optional<ObjectPath>& state_dict) {
  Result<io::MappedFile> file = io::MappedFile::open(path);
  if (!file) return file.error();
  // Binary formats first: a safetensors header length can begin with the byte '{'.
  if (formats::detectFileKind(file->bytes()) == formats::FileKind::kUnknown && startsLikeJsonObject(file->bytes())) {
    return parseSpecJson(file->bytes());  // its source is what it records (a file name), if anything
  }
  if (isTorchScriptArchive(*file)) return specFromTorchScript(path);
  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(path);
  if (!loaded) return loaded.error();
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
