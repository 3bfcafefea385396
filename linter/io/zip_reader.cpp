#include "linter/io/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "linter/core/bounded_issues.h"
#include "linter/io/byte_cursor.h"

namespace ckptlint::io {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectorySignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint64_t kEndRecordSize = 22;
constexpr uint64_t kLocatorSize = 20;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kMaxCommentSize = 0xFFFF;

std::string at(uint64_t offset) { return " at offset " + std::to_string(offset); }

// miniz compares names with an ASCII-only tolower.
std::string foldCase(std::string_view name) {
  std::string folded(name);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

// One step of foldCase on eight bytes at once: bytes 'A'..'Z' gain 0x20, others (bytes with
// the high bit set included) are left alone.
uint64_t foldCaseWord(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  const uint64_t low7 = word & ~kHighBits;
  const uint64_t at_least_a = low7 + (0x80 - 'A') * kOnes;     // high bit set where byte >= 'A'
  const uint64_t beyond_z = low7 + (0x80 - 'Z' - 1) * kOnes;   // high bit set where byte > 'Z'
  const uint64_t upper = at_least_a & ~beyond_z & ~word & kHighBits;
  return word | (upper >> 2);
}

// A hash of foldCase(name) without building it: the zip index hashes every name once and every
// looked-up name once, 100k of each for a large state dict.
std::size_t foldedHash(std::string_view name) {
  uint64_t hash = 0x243F6A8885A308D3ull ^ name.size();
  for (std::size_t at = 0; at < name.size(); at += 8) {
    uint64_t word = 0;
    std::memcpy(&word, name.data() + at, std::min<std::size_t>(8, name.size() - at));
    hash = (hash ^ foldCaseWord(word)) * 0x9E3779B97F4A7C15ull;
    hash ^= hash >> 29;
  }
  return static_cast<std::size_t>(hash);
}

bool equalFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the usual case: the same spelling
  const auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

struct Directory {
  uint64_t entry_count = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
};

}  // namespace

// Parses into a ZipArchive; a friend so that the archive's state stays private.
class ZipDirectoryParser {
 public:
  ZipDirectoryParser(std::string_view file, const ZipLimits& limits, const HeaderReader& header_reader)
      : file_(file), limits_(limits), header_reader_(header_reader) {}

  ZipArchive parse() {
    archive_.file_ = file_;
    archive_.limits_ = limits_;
    const uint64_t end_record = findEndRecord();
    const Directory directory = readDirectoryLocation(end_record);
    readCentralDirectory(directory);
    checkFlagsAndMethods();
    readLocalHeaders();
    checkOverlaps(directory);
    indexNames();
    return std::move(archive_);
  }

 private:
  uint64_t findEndRecord() {
    if (file_.size() < kEndRecordSize) {
      throw FormatError("file too short to be a zip archive (" + std::to_string(file_.size()) + " bytes)");
    }
    // The record torch reads: miniz takes the last signature with a whole record after it and
    // ignores the comment length. Readers that check the comment (Python's zipfile, once ours)
    // can settle on an earlier record and so on another directory: a file made to show each
    // reader a different archive is reported, and read the way torch reads it.
    const uint64_t last = file_.size() - kEndRecordSize;
    const uint64_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
    std::optional<uint64_t> chosen;
    for (uint64_t offset = last + 1; offset-- > first;) {
      if (ByteCursor::little(file_.substr(offset, 4), 4) != kEndOfCentralDirectorySignature) continue;
      if (!chosen) {
        chosen = offset;
        const uint64_t comment_size = ByteCursor::little(file_.substr(offset + 20, 2), 2);
        if (offset + kEndRecordSize + comment_size != file_.size()) {
          ambiguousEndRecord(offset, "its comment length (" + std::to_string(comment_size) + ") does not match the " +
                                         std::to_string(file_.size() - offset - kEndRecordSize) + " bytes after it");
        }
      } else if (offset + kEndRecordSize + ByteCursor::little(file_.substr(offset + 20, 2), 2) == file_.size()) {
        // An earlier record whose comment ends the file exactly is what a strict reader takes.
        ambiguousEndRecord(offset, "it is a complete end record too, hidden in the comment of the one at " +
                                       std::to_string(*chosen));
        break;
      }
    }
    if (!chosen) throw FormatError("no end-of-central-directory record: not a complete zip archive (truncated?)");
    return *chosen;
  }

  void ambiguousEndRecord(uint64_t offset, const std::string& why) {
    issues_.add(ReadIssue::Kind::kAmbiguousEndRecord, "", offset,
                "the end-of-central-directory record" + at(offset) + " is ambiguous: " + why +
                    "; zip readers may disagree on the archive's contents (ckptlint reads it as torch does)");
  }

  Directory readDirectoryLocation(uint64_t end_record) {
    ByteCursor cursor(file_, end_record + 4);
    const uint16_t disk = cursor.u16();
    const uint16_t directory_disk = cursor.u16();
    cursor.u16();  // entries on this disk
    Directory directory;
    directory.entry_count = cursor.u16();
    directory.size = cursor.u32();
    directory.offset = cursor.u32();
    if (disk != 0 || directory_disk != 0) throw FormatError("multi-disk zip archives are not supported");

    if (end_record >= kLocatorSize &&
        ByteCursor::little(file_.substr(end_record - kLocatorSize, 4), 4) == kZip64LocatorSignature) {
      ByteCursor locator(file_, end_record - kLocatorSize + 4);
      locator.u32();  // disk with the zip64 end record
      const uint64_t zip64_end = locator.u64();
      if (zip64_end > end_record - kLocatorSize || end_record - kLocatorSize - zip64_end < 56) {
        throw FormatError("ZIP64 locator points outside the file" + at(zip64_end));
      }
      ByteCursor record(file_, zip64_end);
      if (record.u32() != kZip64EndSignature) {
        throw FormatError("ZIP64 end-of-central-directory record missing" + at(zip64_end));
      }
      record.u64();  // size of this record
      record.u16();  // version made by
      record.u16();  // version needed
      record.u32();  // this disk
      record.u32();  // directory disk
      record.u64();  // entries on this disk
      directory.entry_count = record.u64();
      directory.size = record.u64();
      directory.offset = record.u64();
      archive_.zip64_ = true;
    }
    if (directory.entry_count > limits_.max_entries) {
      throw FormatError("zip archive declares " + std::to_string(directory.entry_count) +
                        " entries, more than the limit of " + std::to_string(limits_.max_entries));
    }
    if (directory.offset > file_.size() || directory.size > file_.size() - directory.offset) {
      throw FormatError("central directory (offset " + std::to_string(directory.offset) + ", " +
                        std::to_string(directory.size) + " bytes) lies outside the file (" +
                        std::to_string(file_.size()) + " bytes): truncated or corrupt archive");
    }
    if (directory.entry_count * kCentralHeaderSize > directory.size) {
      throw FormatError("central directory of " + std::to_string(directory.size) + " bytes cannot hold " +
                        std::to_string(directory.entry_count) + " entries");
    }
    return directory;
  }

  void readCentralDirectory(const Directory& directory) {
    ByteCursor cursor(file_.substr(0, directory.offset + directory.size), directory.offset);
    archive_.entries_.reserve(directory.entry_count);
    for (uint64_t index = 0; index < directory.entry_count; ++index) {
      const uint64_t header = cursor.position();
      if (cursor.remaining() < kCentralHeaderSize || cursor.u32() != kCentralHeaderSignature) {
        throw FormatError("central directory entry " + std::to_string(index) + " is malformed" + at(header));
      }
      ZipEntry entry;
      cursor.u16();  // version made by
      cursor.u16();  // version needed
      entry.flags = cursor.u16();
      entry.method = cursor.u16();
      cursor.u32();  // DOS time and date
      entry.crc32 = cursor.u32();
      entry.compressed_size = cursor.u32();
      entry.uncompressed_size = cursor.u32();
      const uint16_t name_size = cursor.u16();
      const uint16_t extra_size = cursor.u16();
      const uint16_t comment_size = cursor.u16();
      cursor.u16();  // disk number start
      cursor.u16();  // internal attributes
      cursor.u32();  // external attributes
      entry.local_header_offset = cursor.u32();
      entry.name = std::string(cursor.take(name_size));
      applyZip64Extra(cursor.take(extra_size), &entry);
      cursor.take(comment_size);
      archive_.entries_.push_back(std::move(entry));
    }
  }

  // The ZIP64 extra field holds, in this order, only the fields whose 32-bit value is 0xFFFFFFFF.
  void applyZip64Extra(std::string_view extra, ZipEntry* entry) {
    ByteCursor cursor(extra);
    while (cursor.remaining() >= 4) {
      const uint16_t id = cursor.u16();
      const uint16_t size = cursor.u16();
      ByteCursor field(cursor.take(size));
      if (id != kZip64ExtraId) continue;
      constexpr uint64_t kMarker = 0xFFFFFFFF;
      if (entry->uncompressed_size == kMarker) entry->uncompressed_size = field.u64();
      if (entry->compressed_size == kMarker) entry->compressed_size = field.u64();
      if (entry->local_header_offset == kMarker) entry->local_header_offset = field.u64();
    }
  }

  // The fixed part plus the longest name and extra field a local header can have.
  static constexpr uint64_t kMaxLocalHeaderSize = kLocalHeaderSize + 0xFFFF + 0xFFFF;

  // The bytes of one local header, read without touching the mapping when possible. Headers
  // of small records sit close together, so reads go through a 64 KiB window.
  std::string_view localHeaderBytes(uint64_t offset) {
    const uint64_t size = std::min<uint64_t>(kMaxLocalHeaderSize, file_.size() - offset);
    if (!header_reader_) return file_.substr(offset, size);
    if (std::string_view header = fromWindow(offset, kLocalHeaderSize); !header.empty()) {
      ByteCursor fixed(header, 26);
      const uint64_t length = std::min(size, kLocalHeaderSize + fixed.u16() + fixed.u16());
      if (std::string_view whole = fromWindow(offset, length); !whole.empty()) return whole;
      if (!header_reader_(offset, length, &window_)) throw FormatError("cannot read local header" + at(offset));
      window_offset_ = offset;
      return window_;
    }
    constexpr uint64_t kWindow = 64 * 1024;
    if (!header_reader_(offset, std::min(std::max(size, kWindow), file_.size() - offset), &window_)) {
      throw FormatError("cannot read local header" + at(offset));
    }
    window_offset_ = offset;
    return localHeaderBytes(offset);
  }

  std::string_view fromWindow(uint64_t offset, uint64_t length) const {
    if (offset < window_offset_ || offset - window_offset_ + length > window_.size()) return {};
    return std::string_view(window_).substr(offset - window_offset_, length);
  }

  struct LocalHeader {
    uint64_t data_offset = 0;
    uint16_t flags = 0;
    uint16_t method = 0;
    uint32_t crc = 0;
    uint32_t compressed = 0;
    uint32_t uncompressed = 0;
    std::string name;
  };

  // In file order, so that reads move forward through the window, and each distinct header is
  // read once even when (hostile) central entries share it.
  void readLocalHeaders() {
    std::vector<std::size_t> order(archive_.entries_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return archive_.entries_[a].local_header_offset < archive_.entries_[b].local_header_offset;
    });
    LocalHeader header;
    const ZipEntry* header_owner = nullptr;
    for (std::size_t index : order) {
      ZipEntry& entry = archive_.entries_[index];
      if (header_owner == nullptr || header_owner->local_header_offset != entry.local_header_offset) {
        header = readLocalHeader(entry);
        header_owner = &entry;
      } else {
        issue(ReadIssue::Kind::kSharedLocalHeader, entry,
              "records '" + header_owner->name + "' and '" + entry.name + "' share one local header");
      }
      checkAgainstLocalHeader(entry, header);
    }
  }

  LocalHeader readLocalHeader(const ZipEntry& entry) {
    const auto where = [&entry] { return "record '" + entry.name + "'"; };  // built only for messages
    if (entry.local_header_offset > file_.size() || file_.size() - entry.local_header_offset < kLocalHeaderSize) {
      throw FormatError(where() + ": local header offset " + std::to_string(entry.local_header_offset) +
                        " is outside the file");
    }
    ByteCursor cursor(localHeaderBytes(entry.local_header_offset));
    if (cursor.u32() != kLocalHeaderSignature) {
      throw FormatError(where() + ": no local header" + at(entry.local_header_offset));
    }
    LocalHeader header;
    cursor.u16();  // version needed
    header.flags = cursor.u16();
    header.method = cursor.u16();
    cursor.u32();  // time and date
    header.crc = cursor.u32();
    header.compressed = cursor.u32();
    header.uncompressed = cursor.u32();
    const uint16_t name_size = cursor.u16();
    const uint16_t extra_size = cursor.u16();
    if (cursor.remaining() < uint64_t{name_size} + extra_size) {
      throw FormatError(where() + ": local header runs past the end of the file");
    }
    header.name = std::string(cursor.take(name_size));
    cursor.take(extra_size);
    header.data_offset = entry.local_header_offset + cursor.position();
    return header;
  }

  void checkAgainstLocalHeader(ZipEntry& entry, const LocalHeader& header) {
    const auto where = [&entry] { return "record '" + entry.name + "'"; };
    entry.data_offset = header.data_offset;
    if (entry.compressed_size > file_.size() - entry.data_offset) {
      throw FormatError(where() + ": data (" + std::to_string(entry.compressed_size) + " bytes" +
                        at(entry.data_offset) + ") runs past the end of the file: truncated archive");
    }
    if (header.name != entry.name) {
      issue(ReadIssue::Kind::kLocalNameMismatch, entry,
            where() + ": local header names it '" + header.name.substr(0, 200) + "'");
    }
    if (header.method != entry.method) {
      issue(ReadIssue::Kind::kLocalHeaderMismatch, entry,
            where() + ": local header says compression method " + std::to_string(header.method));
    }
    // With bit 3 set the local sizes are zeros and the truth is in the data descriptor.
    constexpr uint32_t kMarker = 0xFFFFFFFF;
    const bool sizes_in_descriptor = (header.flags & 0x0008) != 0;
    if (!sizes_in_descriptor &&
        (header.crc != entry.crc32 || (header.compressed != entry.compressed_size && header.compressed != kMarker) ||
         (header.uncompressed != entry.uncompressed_size && header.uncompressed != kMarker))) {
      issue(ReadIssue::Kind::kLocalHeaderMismatch, entry,
            where() + ": local header sizes or CRC differ from the central directory");
    }
  }

  void indexNames() {
    std::unordered_set<std::size_t> reported;
    const std::vector<ZipEntry>& entries = archive_.entries_;
    archive_.index_.reserve(entries.size());  // no rehashing for 100k records
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string& name = entries[i].name;
      const auto same_name_at = [&](std::size_t at) { return equalFolded(entries[at].name, name); };
      const std::optional<std::size_t> earlier = archive_.index_.findOrAdd(foldedHash(name), i, same_name_at);
      if (!earlier) continue;
      const std::string& first = entries[*earlier].name;
      issue(ReadIssue::Kind::kDuplicateName, entries[i],
            first == name ? "record '" + name + "' appears more than once"
                          : "records '" + first + "' and '" + name + "' differ only in case");
      if (reported.insert(*earlier).second) {
        archive_.ambiguous_names_.push_back(first);
        archive_.ambiguous_folded_.insert(foldCase(first));
      }
    }
    archive_.issues_ = issues_.take();
  }

  // Flags and methods PyTorch's reader (miniz) refuses: its loads fail, but other tools may
  // read such a record differently, so each is reported.
  void checkFlagsAndMethods() {
    constexpr uint16_t kPatchData = 0x0020;
    constexpr uint16_t kStrongEncryption = 0x0040;
    for (const ZipEntry& entry : archive_.entries_) {
      const std::string where = "record '" + entry.name + "'";
      if (entry.encrypted()) issue(ReadIssue::Kind::kEncrypted, entry, where + " is marked encrypted");
      if ((entry.flags & (kPatchData | kStrongEncryption)) != 0) {
        issue(ReadIssue::Kind::kUnsupportedFlags, entry,
              where + " has flags 0x" + hex16(entry.flags) + " (patch data or strong encryption)");
      }
      if (entry.method != 0 && entry.method != 8) {
        issue(ReadIssue::Kind::kUnsupportedFlags, entry,
              where + " uses compression method " + std::to_string(entry.method) + " (only stored and deflate are read)");
      }
      if (!entry.plausibleSize(limits_)) {
        issue(ReadIssue::Kind::kDeflateRatio, entry,
              where + " declares " + std::to_string(entry.uncompressed_size) + " bytes from " +
                  std::to_string(entry.compressed_size) + " compressed: beyond deflate's maximum ratio");
      }
    }
  }

  // Each record's span (local header to end of data) must not overlap another's or the central
  // directory: overlapping records are how one set of bytes shows two contents.
  void checkOverlaps(const Directory& directory) {
    struct Span {
      uint64_t begin, end;
      const ZipEntry* entry;
    };
    std::vector<Span> spans;
    spans.reserve(archive_.entries_.size());
    for (const ZipEntry& entry : archive_.entries_) {
      spans.push_back({entry.local_header_offset, entry.data_offset + entry.compressed_size, &entry});
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    const Span* furthest = nullptr;
    for (const Span& span : spans) {
      // Entries sharing one local header are reported as such already.
      if (furthest != nullptr && span.begin < furthest->end && span.begin != furthest->begin) {
        issue(ReadIssue::Kind::kOverlappingRecords, *span.entry,
              "record '" + span.entry->name + "' overlaps record '" + furthest->entry->name + "'");
      }
      if (furthest == nullptr || span.end > furthest->end) furthest = &span;
      if (span.end > directory.offset && span.begin < directory.offset + directory.size) {
        issue(ReadIssue::Kind::kOverlappingRecords, *span.entry,
              "record '" + span.entry->name + "' overlaps the central directory");
      }
    }
  }

  static std::string hex16(uint16_t value) {
    const char digits[] = "0123456789abcdef";
    std::string out;
    for (int shift = 12; shift >= 0; shift -= 4) out += digits[(value >> shift) & 15];
    return out;
  }

  void issue(ReadIssue::Kind kind, const ZipEntry& entry, std::string message) {
    issues_.add(kind, entry.name, entry.local_header_offset, std::move(message));
  }

  std::string_view file_;
  ZipLimits limits_;
  const HeaderReader& header_reader_;
  std::string window_;           // file bytes [window_offset_, window_offset_ + size)
  uint64_t window_offset_ = 0;
  BoundedIssues issues_{100, "records"};
  ZipArchive archive_;
};

Result<ZipArchive> ZipArchive::read(std::string_view file, const ZipLimits& limits, const HeaderReader& header_reader) {
  try {
    return ZipDirectoryParser(file, limits, header_reader).parse();
  } catch (const FormatError& error) {
    return makeError(error.what());
  }
}

bool ZipArchive::isAmbiguous(std::string_view name) const {
  // Asked once per tensor: the usual archive has no ambiguous name, so nothing to fold.
  return !ambiguous_folded_.empty() && ambiguous_folded_.count(foldCase(name)) != 0;
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  const auto same_name_at = [&](std::size_t at) { return equalFolded(entries_[at].name, name); };
  const std::optional<std::size_t> found = index_.find(foldedHash(name), same_name_at);
  return found ? &entries_[*found] : nullptr;
}

namespace {

Result<std::string> inflateRaw(std::string_view input, uint64_t expected_size, const std::string& name) {
  // The buffer grows as data arrives (from at most 64 MiB), so a declared size that is a lie
  // costs nothing; one spare byte shows data longer than declared.
  constexpr uint64_t kInitial = uint64_t{64} << 20;
  const uint64_t limit = expected_size + 1;
  std::string output(std::min(limit, kInitial), '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return makeError("record '" + name + "': cannot start inflate");
  constexpr uint64_t kChunk = 1u << 30;  // zlib counts in 32-bit chunks
  const char* in = input.data();
  uint64_t in_left = input.size();
  int status = Z_OK;
  do {
    if (stream.avail_in == 0 && in_left > 0) {
      const uint64_t size = std::min(kChunk, in_left);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
      stream.avail_in = static_cast<uInt>(size);
      in += size;
      in_left -= size;
    }
    if (stream.avail_out == 0) {
      const uint64_t produced = stream.total_out;
      if (produced == output.size()) {
        if (output.size() == limit) break;  // more data than declared
        output.resize(std::min(limit, output.size() * 2));
      }
      stream.next_out = reinterpret_cast<Bytef*>(output.data() + produced);
      stream.avail_out = static_cast<uInt>(std::min(kChunk, output.size() - produced));
    }
    status = inflate(&stream, Z_NO_FLUSH);
  } while (status == Z_OK);
  const uint64_t produced = stream.total_out;
  inflateEnd(&stream);
  if (status != Z_STREAM_END || produced > expected_size) {
    return makeError("record '" + name + "': deflate data is corrupt or larger than the declared " +
                     std::to_string(expected_size) + " bytes");
  }
  if (produced != expected_size) {
    return makeError("record '" + name + "': inflates to " + std::to_string(produced) +
                     " bytes, central directory says " + std::to_string(expected_size));
  }
  output.resize(expected_size);
  return output;
}

}  // namespace

Result<RecordBytes> ZipArchive::read(const ZipEntry& entry) const {
  if (entry.encrypted()) return makeError("record '" + entry.name + "' is encrypted");
  const std::string_view data = file_.substr(entry.data_offset, entry.compressed_size);
  if (entry.method == 0) {
    if (entry.compressed_size != entry.uncompressed_size) {
      return makeError("record '" + entry.name + "' is stored but its compressed and uncompressed sizes differ");
    }
    return RecordBytes::view(data);
  }
  if (entry.method != 8) {
    return makeError("record '" + entry.name + "' uses unsupported compression method " + std::to_string(entry.method));
  }
  if (!entry.plausibleSize(limits_)) {
    return makeError("record '" + entry.name + "' declares " + std::to_string(entry.uncompressed_size) +
                     " bytes from " + std::to_string(entry.compressed_size) +
                     " compressed: beyond deflate's maximum ratio (corrupt or a zip bomb)");
  }
  if (entry.uncompressed_size > limits_.max_inflated_size) {
    return makeError("record '" + entry.name + "' would inflate to " + std::to_string(entry.uncompressed_size) +
                     " bytes, more than the limit of " + std::to_string(limits_.max_inflated_size));
  }
  Result<std::string> inflated = inflateRaw(data, entry.uncompressed_size, entry.name);
  if (!inflated) return inflated.error();
  return RecordBytes::own(std::move(inflated).value());
}

Result<std::string> ZipArchive::readPrefix(const ZipEntry& entry, std::size_t count) const {
  if (entry.encrypted()) return makeError("record '" + entry.name + "' is encrypted");
  const std::string_view data = file_.substr(entry.data_offset, entry.compressed_size);
  if (entry.method == 0) return std::string(data.substr(0, count));
  if (entry.method != 8) {
    return makeError("record '" + entry.name + "' uses unsupported compression method " + std::to_string(entry.method));
  }
  std::string output(count, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return makeError("record '" + entry.name + "': cannot start inflate");
  constexpr std::size_t kChunk = 1u << 30;  // zlib counts in 32-bit chunks
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(std::min(kChunk, data.size()));
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(count);
  int status = Z_OK;
  while (status == Z_OK && stream.avail_out > 0) status = inflate(&stream, Z_SYNC_FLUSH);
  const std::size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
    return makeError("record '" + entry.name + "': deflate data is corrupt");
  }
  output.resize(produced);
  return output;
}

uint32_t crc32Of(std::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  constexpr std::size_t kChunk = 1u << 30;
  for (std::size_t done = 0; done < bytes.size(); done += kChunk) {
    const std::size_t size = std::min(kChunk, bytes.size() - done);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), static_cast<uInt>(size));
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace ckptlint::io

namespace ckptlint::io {

std::optional<ReadIssue> checkCrc(const ZipEntry& entry, std::string_view bytes) {
  const uint32_t actual = crc32Of(bytes);
  if (actual == entry.crc32) return std::nullopt;
  return ReadIssue{ReadIssue::Kind::kCrcMismatch, entry.name, entry.local_header_offset,
                   "record '" + entry.name + "': CRC-32 of its bytes is " + std::to_string(actual) +
                       ", the central directory says " + std::to_string(entry.crc32),
                   {}};
}

}  // namespace ckptlint::io
