#include "linter/formats/load.h"

#include "linter/formats/file_kind.h"
#include "linter/formats/safetensors.h"
#include "linter/formats/torch_legacy.h"
#include "linter/formats/sharded.h"

namespace ckptlint::formats {
namespace {

// `allow_index`: a shard index is read with its shards; a shard itself must be one file.
Result<LoadedCheckpoint> loadFile(const std::string& path, const LoadOptions& options, bool allow_index) {
  Result<io::MappedFile> mapped = io::MappedFile::open(path);
  if (!mapped) return mapped.error();
  LoadedCheckpoint loaded;
  loaded.file = std::make_unique<io::MappedFile>(std::move(mapped).value());
  const std::string_view bytes = loaded.file->bytes();
  switch (detectFileKind(bytes)) {
    case FileKind::kZip: {
      const io::MappedFile& file = *loaded.file;
      auto read_header = [&file](uint64_t offset, std::size_t size, std::string* out) {
        return file.readAt(offset, size, out);
      };
      Result<TorchZipContents> contents = readTorchZip(bytes, path, read_header, TorchZipOptions{options.check_crc});
      if (!contents) return contents.error();
      loaded.checkpoint = std::move(contents->checkpoint);
      loaded.zip.emplace(std::move(contents->zip));
      loaded.data_pickle.emplace(std::move(contents->data_pickle));
      return loaded;
    }
    case FileKind::kEmpty: return makeError("empty file");
    case FileKind::kLegacyPickle: {
      Result<TorchLegacyContents> contents = readTorchLegacy(bytes, path);
      if (!contents) return makeError("legacy torch.save format (pre-1.6, non-zip): " + contents.error().message);
      loaded.checkpoint = std::move(contents->checkpoint);
      loaded.data_pickle.emplace(std::move(contents->main_pickle));
      return loaded;
    }
    case FileKind::kLegacyTar: return makeError("legacy tar torch.save format (PyTorch < 0.4): not supported");
    case FileKind::kPreviewZip: return makeError("pre-1.0 'PYTORCH1' preview format: not supported (torch.load refuses it too)");
    case FileKind::kSafetensors: {
      Result<Checkpoint> checkpoint = readSafetensors(bytes, path);
      if (!checkpoint) return checkpoint.error();
      loaded.checkpoint = std::move(checkpoint).value();
      return loaded;
    }
    case FileKind::kPlainPickle:
      return makeError("a plain pickle without torch.save's magic number: not a PyTorch checkpoint");
    case FileKind::kGitLfsPointer:
      return makeError("a Git LFS pointer, not the checkpoint: its content was never fetched (run 'git lfs pull')");
    case FileKind::kUnknown: break;
  }
  if (startsLikeJsonObject(bytes)) {
    if (!allow_index) return makeError("a JSON document, not a single checkpoint file");
    return loadShardedCheckpoint(std::move(loaded.file), path, options);
  }
  return makeError("not a PyTorch checkpoint (unrecognised content)");
}

}  // namespace

Result<LoadedCheckpoint> loadCheckpoint(const std::string& path, const LoadOptions& options) {
  return loadFile(path, options, /*allow_index=*/true);
}

Result<LoadedCheckpoint> loadSingleFileCheckpoint(const std::string& path, const LoadOptions& options) {
  return loadFile(path, options, /*allow_index=*/false);
}

}  // namespace ckptlint::formats
