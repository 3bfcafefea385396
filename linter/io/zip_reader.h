// ZipArchive: reads a zip container the way PyTorch's reader (miniz) sees it: sizes and CRCs
// from the central directory (PyTorch's local headers hold zeros), each record's data offset
// from its local header. Everything is bounded by the file; nothing is read eagerly except the
// directory. Disagreements between local and central headers, flags PyTorch cannot read and
// overlapping records are kept as read issues for the integrity rules, because they are how
// scanner bypasses hide.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "linter/core/flat_index.h"
#include "linter/core/read_issue.h"
#include "linter/core/result.h"

namespace ckptlint::io {

struct ZipLimits {
  uint64_t max_entries = 4'000'000;
  /// Deflate cannot expand more than 1032:1; a larger declared size is a lie (or a bomb).
  uint64_t max_deflate_ratio = 1032;
  uint64_t max_inflated_size = uint64_t{1} << 32;  // one extracted (deflated) record, 4 GiB
};

struct ZipEntry {
  std::string name;                 // from the central directory
  uint16_t flags = 0;
  uint16_t method = 0;              // 0 stored, 8 deflated
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint64_t data_offset = 0;         // first byte of the record's (compressed) data

  bool encrypted() const { return (flags & 0x0001) != 0; }
  /// Whether the stored bytes could inflate to the declared size (deflate's ratio is bounded).
  bool plausibleSize(const ZipLimits& limits) const {
    return method != 8 || uncompressed_size / limits.max_deflate_ratio <= compressed_size;
  }
  /// Whether its bytes can be read as PyTorch would: not encrypted, stored or deflated, a
  /// plausible size. The others are archive issues already.
  bool readable(const ZipLimits& limits) const {
    return !encrypted() && (method == 0 || method == 8) && plausibleSize(limits);
  }
};

/// A record's bytes: a view into the mapped file for stored records, or owned inflated bytes.
class RecordBytes {
 public:
  static RecordBytes view(std::string_view bytes) { return RecordBytes(bytes); }
  static RecordBytes own(std::string bytes) { return RecordBytes(std::move(bytes)); }
  std::string_view bytes() const { return owned_ ? std::string_view(storage_) : view_; }

  RecordBytes(RecordBytes&& other) noexcept { *this = std::move(other); }
  RecordBytes& operator=(RecordBytes&& other) noexcept {
    owned_ = other.owned_;
    storage_ = std::move(other.storage_);
    view_ = other.view_;
    return *this;
  }

 private:
  explicit RecordBytes(std::string_view bytes) : view_(bytes) {}
  explicit RecordBytes(std::string bytes) : owned_(true), storage_(std::move(bytes)) {}
  bool owned_ = false;
  std::string storage_;
  std::string_view view_;
};

/// Reads `size` bytes at `offset` into `out` without going through the mapping (see
/// MappedFile::readAt); false if they are not all there.
using HeaderReader = std::function<bool(uint64_t offset, std::size_t size, std::string* out)>;

class ZipArchive {
 public:
  /// Parses the end-of-central-directory records (classic and ZIP64) and the whole central
  /// directory, and checks every entry's local header and data range against the file.
  /// The archive keeps a view of `file`: the bytes must outlive it.
  /// Local headers are read through `header_reader` when one is given, else from `file`.
  static Result<ZipArchive> read(std::string_view file, const ZipLimits& limits = {},
                                 const HeaderReader& header_reader = {});

  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// The entry with this name, compared case-insensitively (ASCII) as PyTorch's zip reader
  /// (miniz) does, or nullptr. With several such entries, the first; see ambiguousNames().
  const ZipEntry* find(std::string_view name) const;
  /// Names that more than one entry matches (case-insensitively). PyTorch's reader picks one of
  /// them by an unstable sort, so what it loads cannot be known: readers must refuse these.
  const std::vector<std::string>& ambiguousNames() const { return ambiguous_names_; }
  /// Whether `name` matches more than one entry.
  bool isAmbiguous(std::string_view name) const;
  bool usesZip64() const { return zip64_; }

  /// The record's bytes: stored records are returned without copying; deflated ones are
  /// inflated (bounded by ZipLimits::max_inflated_size and the declared size).
  Result<RecordBytes> read(const ZipEntry& entry) const;
  /// At most the first `count` bytes of the record, inflating no more than that: enough to
  /// tell what a record is without paying for all of it.
  Result<std::string> readPrefix(const ZipEntry& entry, std::size_t count) const;

  /// Observations that do not stop reading (header disagreements, duplicate names, ...).
  const std::vector<ReadIssue>& issues() const { return issues_; }
  const ZipLimits& limits() const { return limits_; }

 private:
  std::string_view file_;
  ZipLimits limits_;
  bool zip64_ = false;
  std::vector<ZipEntry> entries_;
  FlatIndex index_;  // by case-folded name: the first entry of each name
  std::vector<std::string> ambiguous_names_;
  std::unordered_set<std::string> ambiguous_folded_;  // lower-cased names of ambiguous_names_
  std::vector<ReadIssue> issues_;

  friend class ZipDirectoryParser;
};

uint32_t crc32Of(std::string_view bytes);

/// A kCrcMismatch issue when `bytes` (the record's content) do not match its CRC-32.
std::optional<ReadIssue> checkCrc(const ZipEntry& entry, std::string_view bytes);

}  // namespace ckptlint::io
