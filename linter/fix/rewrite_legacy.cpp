#include "linter/fix/rewrite_legacy.h"

#include <unordered_set>

#include "linter/core/text.h"
#include "linter/fix/state_dict_edits.h"
#include "linter/fix/torch_zip_rewrite.h"
#include "linter/formats/torch_legacy.h"
#include "linter/io/zip_writer.h"
#include "linter/pickle/reader.h"
#include "linter/pickle/rewriter.h"

namespace ckptlint::fix {
namespace {

using pickle::Value;
using pickle::ValueKind;

// torch.load's zip reader accepts any root folder; torch.save names it after the file stem.
constexpr std::string_view kRoot = "archive/";
constexpr std::string_view kStoragePrefix = "storage:";  // how torch_legacy.cpp names storage records

const ArchiveRecord* recordNamed(const Checkpoint& checkpoint, std::string_view name) {
  for (const ArchiveRecord& record : checkpoint.records) {
    if (record.name == name) return &record;
  }
  return nullptr;
}

// ('storage', type, key, location, numel, view_metadata) -> its key; nullptr for other ids.
const std::string* storageKey(const Value* id) {
  const Value* tuple = id != nullptr && !id->items.empty() ? id->items[0] : nullptr;
  if (tuple == nullptr || tuple->kind != ValueKind::kTuple || tuple->items.size() < 3) return nullptr;
  const Value* key = tuple->items[2];
  return key->isString() ? &key->text : nullptr;
}

// Every persistent id must become a zip-format storage id: a 'module' id (a pickled nn.Module
// class with its source) has no zip equivalent, and torch's zip loader asserts 'storage'.
std::optional<Error> checkPersistentIds(const pickle::PickleTrace& trace) {
  for (const pickle::PickleTrace::PersistentLoad& load : trace.persistent_loads) {
    const Value* tuple = load.id != nullptr && !load.id->items.empty() ? load.id->items[0] : nullptr;
    const bool storage = tuple != nullptr && tuple->kind == ValueKind::kTuple && tuple->items.size() == 6 &&
                         tuple->items[0]->isString() && tuple->items[0]->text == "storage";
    if (!storage) {
      return makeError("the persistent id at offset " + std::to_string(load.op_offset) +
                       " is not a storage id (e.g. a pickled nn.Module class); the zip format has no place for it; not rewritten");
    }
    if (tuple->items[5]->kind != ValueKind::kNone) {
      return makeError("storage '" + (tuple->items[2]->isString() ? tuple->items[2]->text : std::string("?")) +
                       "' is a legacy storage view (view_metadata is set); the zip format has no storage views; not rewritten");
    }
  }
  return std::nullopt;
}

}  // namespace

Result<RewriteResult> rewriteLegacy(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd,
                                    const RewriteOptions& rewrite_options) {
  if (!input.file) return makeError("legacy rewrite: the file was not loaded");
  const Checkpoint& checkpoint = input.checkpoint;
  const ArchiveRecord* main = recordNamed(checkpoint, formats::kLegacyMainPickle);
  if (main == nullptr) return makeError("legacy rewrite: the main pickle was not located");
  // Cut at the pickle's end: the rewriter copies whatever follows STOP (here: the storages).
  const std::string_view bytes = input.file->bytes().substr(0, main->data_offset + main->size);
  pickle::PickleTrace trace;
  Result<pickle::Pickle> parsed = pickle::readPickle(bytes, main->data_offset, {}, &trace);
  if (!parsed) return makeError(std::string(formats::kLegacyMainPickle) + ": " + parsed.error().message);
  if (auto error = checkPersistentIds(trace)) return *error;
  Result<StateDictPickleEdits> edits = planPickleEdits(*parsed, trace, plan);
  if (!edits) return edits.error();
  std::vector<std::size_t> trims(trace.persistent_loads.size());
  for (std::size_t i = 0; i < trims.size(); ++i) trims[i] = i;
  Result<pickle::PickleRewrite> rewritten =
      pickle::rewritePickle(bytes, main->data_offset, *parsed, trace, edits->edits, trims);
  if (!rewritten) return rewritten.error();

  std::unordered_set<std::string> kept;
  for (const Value* id : rewritten->kept_persistent_ids) {
    if (const std::string* key = storageKey(id)) kept.insert(*key);
  }

  RewriteResult result;
  result.notes = edits->notes;
  result.notes.insert(result.notes.begin(), kLegacyConvertedNote);
  io::ZipWriter writer(out_fd, rewrite_options.zip);
  const std::string root(kRoot);
  if (auto error = writer.addRecord(root + "data.pkl", rewritten->bytes)) return *error;
  if (auto error = writer.addRecord(root + "byteorder", "little")) return *error;  // legacy storages are little-endian
  // Storages in the legacy key list's order; those only dropped keys used are left out.
  std::unordered_set<std::string> written;
  std::size_t left_out = 0;
  for (const ArchiveRecord& record : checkpoint.records) {
    if (!startsWith(record.name, kStoragePrefix)) continue;
    const std::string key = record.name.substr(kStoragePrefix.size());
    if (kept.count(key) == 0) {
      ++left_out;
      continue;
    }
    if (!written.insert(key).second) return makeError("storage key '" + key + "' is listed more than once; not rewritten");
    const io::ChunkReader read = inputRecordReader(*input.file, record.data_offset, "storage '" + key + "'");
    if (auto error = writer.addStreamedRecord(root + "data/" + key, record.size, read)) return *error;
  }
  for (const std::string& key : kept) {
    if (written.count(key) == 0) {
      return makeError("storage '" + key + "' has no bytes in the file (not in the storage key list); not rewritten");
    }
  }
  if (auto error = writer.addRecord(root + "version", "3\n")) return *error;
  return finishZipRewrite(writer, left_out, std::move(result));
}

}  // namespace ckptlint::fix
