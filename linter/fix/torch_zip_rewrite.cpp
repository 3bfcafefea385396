#include "linter/fix/torch_zip_rewrite.h"

#include <charconv>
#include <unordered_set>

#include "linter/core/text.h"
#include "linter/fix/state_dict_edits.h"
#include "linter/io/zip_writer.h"
#include "linter/pickle/reader.h"
#include "linter/pickle/rewriter.h"

namespace ckptlint::fix {
namespace {

using pickle::Value;
using pickle::ValueKind;

// The storage key of a zip-format persistent id ('storage', type, key, location, numel).
const std::string* storageKey(const Value* id) {
  const Value* pid = id != nullptr && !id->items.empty() ? id->items[0] : nullptr;
  if (pid == nullptr || pid->kind != ValueKind::kTuple || pid->items.size() < 3) return nullptr;
  const Value* key = pid->items[2];
  return key->isString() ? &key->text : nullptr;
}

// Storage keys only the dropped entries referenced: their records are left out.
std::unordered_set<std::string> unreferencedStorages(const pickle::PickleRewrite& rewrite) {
  std::unordered_set<std::string> kept;
  for (const Value* id : rewrite.kept_persistent_ids) {
    if (const std::string* key = storageKey(id)) kept.insert(*key);
  }
  std::unordered_set<std::string> unreferenced;
  for (const Value* id : rewrite.dropped_persistent_ids) {
    const std::string* key = storageKey(id);
    if (key != nullptr && kept.count(*key) == 0) unreferenced.insert(*key);
  }
  return unreferenced;
}

// PyTorch 2.7+ records the alignment it used; keep that one so the record stays true.
uint64_t alignmentOf(const io::ZipArchive& zip, const std::string& root) {
  constexpr uint64_t kDefault = 64;
  const io::ZipEntry* entry = zip.find(root + ".storage_alignment");
  if (entry == nullptr) return kDefault;
  Result<io::RecordBytes> bytes = zip.read(*entry);
  if (!bytes) return kDefault;
  const std::string_view text = bytes->bytes();
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool valid = ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= 0x8000;
  return valid ? value : kDefault;
}

std::optional<Error> checkArchive(const io::ZipArchive& zip, const std::string& root) {
  if (!zip.ambiguousNames().empty()) {
    return makeError("record name '" + zip.ambiguousNames().front() + "' is used more than once; not rewritten");
  }
  for (const io::ZipEntry& entry : zip.entries()) {
    if (!startsWith(entry.name, root)) return makeError("record '" + entry.name + "' is outside the root folder; not rewritten");
    if (!entry.readable(zip.limits())) return makeError("record '" + entry.name + "' cannot be read (encrypted or unknown compression); not rewritten");
  }
  // load.cpp refuses these already; a writer must never take them for plain torch.save files.
  if (zip.find(root + "constants.pkl") != nullptr) return makeError("a TorchScript archive: --apply does not rewrite TorchScript");
  if (zip.find(root + ".data/extern_modules") != nullptr) return makeError("a torch.package archive: --apply does not rewrite it");
  return std::nullopt;
}

}  // namespace

io::ChunkReader inputRecordReader(const io::MappedFile& file, uint64_t data_offset, std::string what) {
  return [&file, data_offset, what = std::move(what)](uint64_t offset, std::size_t size, std::string* out) -> std::optional<Error> {
    if (!file.readAt(data_offset + offset, size, out)) return makeError("cannot read " + what + " of the input");
    return std::nullopt;
  };
}

Result<RewriteResult> finishZipRewrite(io::ZipWriter& writer, std::size_t storages_left_out, RewriteResult result) {
  if (storages_left_out > 0) {
    result.notes.push_back(std::to_string(storages_left_out) + " storage record" + (storages_left_out == 1 ? "" : "s") +
                           " used only by dropped keys left out");
  }
  Result<uint64_t> size = writer.finish();
  if (!size) return size.error();
  result.bytes_written = *size;
  return result;
}

Result<RewriteResult> rewriteTorchZip(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd,
                                      const RewriteOptions& rewrite_options) {
  if (!input.zip || !input.file) return makeError("torch zip rewrite: the archive directory was not loaded");
  const io::ZipArchive& zip = *input.zip;
  const std::string root = input.checkpoint.archive_root + "/";
  if (auto error = checkArchive(zip, root)) return *error;

  const io::ZipEntry* data_entry = zip.find(root + "data.pkl");
  if (data_entry == nullptr) return makeError("no data.pkl record");
  Result<io::RecordBytes> data = zip.read(*data_entry);
  if (!data) return makeError("data.pkl: " + data.error().message);
  pickle::PickleTrace trace;
  Result<pickle::Pickle> parsed = pickle::readPickle(data->bytes(), 0, {}, &trace);
  if (!parsed) return makeError("data.pkl: " + parsed.error().message);
  Result<StateDictPickleEdits> edits = planPickleEdits(*parsed, trace, plan);
  if (!edits) return edits.error();
  Result<pickle::PickleRewrite> rewritten = pickle::rewritePickle(data->bytes(), 0, *parsed, trace, edits->edits);
  if (!rewritten) return rewritten.error();
  const std::unordered_set<std::string> unreferenced = unreferencedStorages(*rewritten);

  RewriteResult result;
  result.notes = edits->notes;
  io::ZipWriterOptions options = rewrite_options.zip;
  options.alignment = alignmentOf(zip, root);
  io::ZipWriter writer(out_fd, options);
  std::size_t left_out = 0;
  // Central-directory order, names as they were (the root folder included).
  for (const io::ZipEntry& entry : zip.entries()) {
    const std::string name = entry.name.substr(root.size());
    if (&entry == data_entry) {
      if (auto error = writer.addRecord(entry.name, rewritten->bytes)) return *error;
      continue;
    }
    if (name == ".format_version") {
      // It promises miniz's exact layout (torch-format.md §2.6); ours differs (no data descriptors).
      result.notes.push_back("dropped .format_version: the rewritten zip's layout is not byte-identical to PyTorch's, "
                             "so torch must not predict record offsets from it");
      continue;
    }
    if (startsWith(name, "data/") && unreferenced.count(name.substr(5)) != 0) {
      ++left_out;
      continue;
    }
    const io::ChunkReader read = inputRecordReader(*input.file, entry.data_offset, "record '" + entry.name + "'");
    // Deflated records (not written by torch.save) are copied still deflated, CRC as declared.
    // A CRC of 0 is what torch writes with set_crc32_options(False): computed afresh then.
    io::CopiedCompression compression{entry.method, entry.crc32, entry.uncompressed_size};
    const std::optional<uint32_t> expected_crc = entry.crc32 != 0 ? std::optional<uint32_t>(entry.crc32) : std::nullopt;
    if (auto error = writer.addStreamedRecord(entry.name, entry.compressed_size, read, expected_crc, compression)) {
      return *error;
    }
  }
  return finishZipRewrite(writer, left_out, std::move(result));
}

}  // namespace ckptlint::fix
