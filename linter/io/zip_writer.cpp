#include "linter/io/zip_writer.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "linter/io/write_all.h"

namespace ckptlint::io {
namespace {

constexpr uint32_t kMarker32 = 0xFFFFFFFF;
constexpr uint16_t kMarker16 = 0xFFFF;
constexpr uint16_t kUtf8Names = 0x0800;  // general-purpose flag bit 11
constexpr uint16_t kVersionMadeBy = 45;  // 4.5: ZIP64-aware writer, MS-DOS attributes
constexpr uint16_t kZip64ExtraId = 0x0001;

void putLE(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

uint32_t updateCrc(uint32_t crc, std::string_view bytes) {
  uLong value = crc;
  while (!bytes.empty()) {
    const std::size_t size = std::min<std::size_t>(bytes.size(), 1u << 30);
    value = ::crc32(value, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(size));
    bytes.remove_prefix(size);
  }
  return static_cast<uint32_t>(value);
}

uint16_t versionNeeded(uint16_t method, bool zip64) { return zip64 ? 45 : method == 8 ? 20 : 10; }

}  // namespace

ZipWriter::ZipWriter(int fd, ZipWriterOptions options) : fd_(fd), options_(options) {}

std::optional<Error> ZipWriter::write(std::string_view bytes) {
  if (auto error = writeAll(fd_, bytes)) return error;
  offset_ += bytes.size();
  return std::nullopt;
}

std::optional<Error> ZipWriter::checkName(std::string_view name) const {
  if (finished_) return makeError("zip writer: record '" + std::string(name) + "' added after finish");
  if (name.empty() || name.size() > 0xFFFF) return makeError("zip writer: record name of " + std::to_string(name.size()) + " bytes");
  if (options_.alignment == 0 || options_.alignment > 0x8000) {
    return makeError("zip writer: alignment " + std::to_string(options_.alignment) + " out of range");
  }
  return std::nullopt;
}

std::string ZipWriter::localHeader(const Entry& entry) const {
  const uint64_t threshold = options_.zip64_threshold;
  const bool zip64 = entry.uncompressed_size >= threshold || entry.compressed_size >= threshold;
  std::string extra;
  if (zip64) {  // the local ZIP64 field carries both sizes (APPNOTE 4.5.3)
    putLE(extra, kZip64ExtraId, 2);
    putLE(extra, 16, 2);
    putLE(extra, entry.uncompressed_size, 8);
    putLE(extra, entry.compressed_size, 8);
  }
  // PyTorch's padding field: "FB", a u16 length, then that many 'Z' (torch-format.md §2.3).
  const uint64_t before_data = offset_ + 30 + entry.name.size() + extra.size() + 4;
  const uint64_t padding = (options_.alignment - before_data % options_.alignment) % options_.alignment;
  extra += "FB";
  putLE(extra, padding, 2);
  extra.append(padding, 'Z');

  std::string header;
  putLE(header, 0x04034b50, 4);
  putLE(header, versionNeeded(entry.method, zip64), 2);
  putLE(header, kUtf8Names, 2);
  putLE(header, entry.method, 2);
  putLE(header, 0, 4);  // DOS time and date: zero, as PyTorch writes them
  putLE(header, entry.crc32, 4);
  putLE(header, zip64 ? kMarker32 : entry.compressed_size, 4);
  putLE(header, zip64 ? kMarker32 : entry.uncompressed_size, 4);
  putLE(header, entry.name.size(), 2);
  putLE(header, extra.size(), 2);
  header += entry.name;
  header += extra;
  return header;
}

std::optional<Error> ZipWriter::addRecord(std::string_view name, std::string_view data) {
  if (auto error = checkName(name)) return error;
  Entry entry{std::string(name), 0, updateCrc(0, data), data.size(), data.size(), offset_};
  if (auto error = write(localHeader(entry))) return error;
  if (auto error = write(data)) return error;
  entries_.push_back(std::move(entry));
  return std::nullopt;
}

std::optional<Error> ZipWriter::addStreamedRecord(std::string_view name, uint64_t size, const ChunkReader& read,
                                                  std::optional<uint32_t> expected_crc,
                                                  const CopiedCompression& compression) {
  if (auto error = checkName(name)) return error;
  if (compression.method != 0 && compression.method != 8) {
    return makeError("zip writer: record '" + std::string(name) + "': compression method " +
                     std::to_string(compression.method) + " cannot be copied");
  }
  const bool stored = compression.method == 0;
  Entry entry{std::string(name), compression.method, stored ? expected_crc.value_or(0) : compression.crc32, size,
              stored ? size : compression.uncompressed_size, offset_};
  if (auto error = write(localHeader(entry))) return error;

  const bool compute_crc = stored && (!expected_crc || options_.verify_copied_crc);
  uint32_t crc = 0;
  std::string chunk;
  for (uint64_t done = 0; done < size;) {
    const std::size_t count = static_cast<std::size_t>(std::min<uint64_t>(options_.chunk_size, size - done));
    chunk.clear();
    if (auto error = read(done, count, &chunk)) return error;
    if (chunk.size() != count) {
      return makeError("record '" + std::string(name) + "': could only read " + std::to_string(done + chunk.size()) +
                       " of its " + std::to_string(size) + " bytes");
    }
    if (compute_crc) crc = updateCrc(crc, chunk);
    if (auto error = write(chunk)) return error;
    done += count;
  }
  if (compute_crc && expected_crc && crc != *expected_crc) {
    return makeError("record '" + std::string(name) + "': its bytes do not match its CRC-32 (damaged input); not copied");
  }
  if (stored && !expected_crc && crc != 0) {
    entry.crc32 = crc;
    if (auto error = patchLocalCrc(entry)) return error;
  }
  entries_.push_back(std::move(entry));
  return std::nullopt;
}

std::optional<Error> ZipWriter::patchLocalCrc(const Entry& entry) {
  constexpr uint64_t kCrcField = 14;
  std::string crc;
  putLE(crc, entry.crc32, 4);
  const auto seek_error = [] { return makeError(std::string("cannot seek in the output: ") + std::strerror(errno)); };
  if (lseek(fd_, static_cast<off_t>(entry.header_offset + kCrcField), SEEK_SET) < 0) return seek_error();
  if (auto error = writeAll(fd_, crc)) return error;
  if (lseek(fd_, static_cast<off_t>(offset_), SEEK_SET) < 0) return seek_error();
  return std::nullopt;
}

Result<uint64_t> ZipWriter::finish() {
  if (finished_) return makeError("zip writer: finished twice");
  finished_ = true;
  const uint64_t threshold = options_.zip64_threshold;
  const uint64_t directory_offset = offset_;
  std::string directory;
  for (const Entry& entry : entries_) {
    // The ZIP64 field holds, in this order, only the values whose 32-bit field is the marker.
    std::string zip64;
    const bool big_size = entry.uncompressed_size >= threshold;
    const bool big_compressed = entry.compressed_size >= threshold;
    const bool big_offset = entry.header_offset >= threshold;
    if (big_size) putLE(zip64, entry.uncompressed_size, 8);
    if (big_compressed) putLE(zip64, entry.compressed_size, 8);
    if (big_offset) putLE(zip64, entry.header_offset, 8);
    std::string extra;
    if (!zip64.empty()) {
      putLE(extra, kZip64ExtraId, 2);
      putLE(extra, zip64.size(), 2);
      extra += zip64;
    }
    putLE(directory, 0x02014b50, 4);
    putLE(directory, kVersionMadeBy, 2);
    putLE(directory, versionNeeded(entry.method, !zip64.empty()), 2);
    putLE(directory, kUtf8Names, 2);
    putLE(directory, entry.method, 2);
    putLE(directory, 0, 4);  // time, date
    putLE(directory, entry.crc32, 4);
    putLE(directory, big_compressed ? kMarker32 : entry.compressed_size, 4);
    putLE(directory, big_size ? kMarker32 : entry.uncompressed_size, 4);
    putLE(directory, entry.name.size(), 2);
    putLE(directory, extra.size(), 2);
    putLE(directory, 0, 2);  // comment
    putLE(directory, 0, 2);  // disk
    putLE(directory, 0, 2);  // internal attributes
    putLE(directory, 0, 4);  // external attributes
    putLE(directory, big_offset ? kMarker32 : entry.header_offset, 4);
    directory += entry.name;
    directory += extra;
  }
  if (auto error = write(directory)) return *error;

  const uint64_t count = entries_.size();
  const uint64_t directory_size = directory.size();
  const bool many = count >= options_.max_classic_entries || count >= kMarker16;
  const bool big_directory_size = directory_size >= threshold;
  const bool big_directory_offset = directory_offset >= threshold;
  std::string end;
  if (many || big_directory_size || big_directory_offset) {
    const uint64_t zip64_end = offset_;
    putLE(end, 0x06064b50, 4);
    putLE(end, 44, 8);  // size of the rest of this record
    putLE(end, kVersionMadeBy, 2);
    putLE(end, 45, 2);
    putLE(end, 0, 4);  // this disk
    putLE(end, 0, 4);  // disk with the directory
    putLE(end, count, 8);
    putLE(end, count, 8);
    putLE(end, directory_size, 8);
    putLE(end, directory_offset, 8);
    putLE(end, 0x07064b50, 4);  // locator
    putLE(end, 0, 4);
    putLE(end, zip64_end, 8);
    putLE(end, 1, 4);  // disks
  }
  putLE(end, 0x06054b50, 4);
  putLE(end, 0, 2);
  putLE(end, 0, 2);
  putLE(end, many ? kMarker16 : count, 2);
  putLE(end, many ? kMarker16 : count, 2);
  putLE(end, big_directory_size ? kMarker32 : directory_size, 4);
  putLE(end, big_directory_offset ? kMarker32 : directory_offset, 4);
  putLE(end, 0, 2);  // comment
  if (auto error = write(end)) return *error;
  return offset_;
}

}  // namespace ckptlint::io
