#include "linter/formats/mapped_tensor_bytes.h"

namespace ckptlint::formats {

MappedTensorBytes::MappedTensorBytes(const LoadedCheckpoint& loaded, Progress progress)
    : loaded_(loaded), progress_(std::move(progress)) {
  for (const ArchiveRecord& record : loaded.checkpoint.records) records_by_offset_.emplace(record.data_offset, &record);
  // The structure has been read; from here on storages are read front to back.
  if (loaded.file) loaded.file->adviseSequential();
  for (const auto& shard : loaded.shard_files) {
    if (shard) shard->adviseSequential();
  }
}

const io::MappedFile* MappedTensorBytes::fileOf(const TensorInfo& tensor) const {
  if (tensor.shard < 0) return loaded_.file.get();
  const auto shard = static_cast<std::size_t>(tensor.shard);
  return shard < loaded_.shard_files.size() ? loaded_.shard_files[shard].get() : nullptr;
}

Result<std::string_view> MappedTensorBytes::storage(const TensorInfo& tensor) const {
  if (!tensor.record) return makeError("no storage record");
  const io::MappedFile* file = fileOf(tensor);
  if (file == nullptr) return makeError("shard not readable");
  if (tensor.shard < 0) {
    auto found = records_by_offset_.find(tensor.record->offset);
    if (found != records_by_offset_.end() && found->second->method != 0) {
      return makeError("storage record compressed (deflate); values are read from stored records only");
    }
  }
  if (tensor.record->size != tensor.storage_nbytes) {
    return makeError("storage record of another size than the storage (compressed or damaged)");
  }
  const std::string_view bytes = file->bytes();
  if (tensor.record->offset > bytes.size() || tensor.record->size > bytes.size() - tensor.record->offset) {
    return makeError("storage record reaching past the end of the file");
  }
  return bytes.substr(tensor.record->offset, tensor.record->size);
}

void MappedTensorBytes::expect(uint64_t total_bytes) const {
  if (progress_) progress_(total_bytes, 0);
}

void MappedTensorBytes::done(const TensorInfo& tensor, std::string_view bytes) const {
  const io::MappedFile* file = fileOf(tensor);
  if (file == nullptr || bytes.empty()) return;
  const char* base = file->bytes().data();
  if (bytes.data() >= base && bytes.data() < base + file->size()) {
    file->releasePages(static_cast<uint64_t>(bytes.data() - base), bytes.size());
  }
  if (progress_) progress_(0, bytes.size());
}

}  // namespace ckptlint::formats
