#include "linter/formats/load.h"

#include "linter/formats/file_kind.h"

namespace ckptlint::formats {

Result<LoadedCheckpoint> loadCheckpoint(const std::string& path, const LoadOptions& options) {
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
    case FileKind::kLegacyPickle:
      return makeError("legacy torch.save format (pre-1.6, non-zip): not supported yet; re-save it with torch >= 1.6");
    case FileKind::kLegacyTar: return makeError("legacy tar torch.save format (PyTorch < 0.4): not supported");
    case FileKind::kPreviewZip: return makeError("pre-1.0 'PYTORCH1' preview format: not supported (torch.load refuses it too)");
    case FileKind::kSafetensors: return makeError("a safetensors file: not supported yet");
    case FileKind::kPlainPickle:
      return makeError("a plain pickle without torch.save's magic number: not a PyTorch checkpoint");
    case FileKind::kUnknown: break;
  }
  return makeError("not a PyTorch checkpoint (unrecognised content)");
}

}  // namespace ckptlint::formats
