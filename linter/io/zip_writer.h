// ZipWriter: writes a zip the way torch.save lays one out (§8.2 of torch-format.md): records
// stored or copied as they are, UTF-8 names, an `FB` extra field padding every record's data to
// a multiple of the alignment, CRC-32 and sizes in the local header (no data descriptor), ZIP64
// fields only where a size, an offset or the entry count needs them. Records are written in
// the order they are added, straight to a file descriptor, so a multi-GB record never sits in
// memory; every byte goes through io::writeAll.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"

namespace ckptlint::io {

struct ZipWriterOptions {
  uint64_t alignment = 64;  // data of every record starts at a multiple of this (1: no padding)
  /// Sizes and offsets at or above this are written as 0xFFFFFFFF plus a ZIP64 extra field.
  /// The zip format's limit; tests lower it to exercise ZIP64 without writing 4 GiB.
  uint64_t zip64_threshold = 0xFFFFFFFF;
  /// More entries than this need the ZIP64 end records. The zip format's limit; tests lower it.
  uint64_t max_classic_entries = 0xFFFF;
  std::size_t chunk_size = std::size_t{4} << 20;  // streamed records are copied this much at a time
  /// A stored record copied with its source's CRC-32: recompute it and refuse a mismatch (reads
  /// every byte through zlib, which nearly doubles the time of a copy), or trust it and copy it
  /// with the bytes — lossless either way: a damaged record keeps the CRC that exposes it.
  bool verify_copied_crc = true;
};

/// Fills `out` with the `size` bytes of a streamed record starting at `offset` within it.
using ChunkReader = std::function<std::optional<Error>(uint64_t offset, std::size_t size, std::string* out)>;

/// How a record's bytes are stored: method 0 (stored), or copied already deflated (method 8)
/// with the CRC-32 and uncompressed size its source declared.
struct CopiedCompression {
  uint16_t method = 0;
  uint32_t crc32 = 0;             // of the uncompressed bytes (only for method 8)
  uint64_t uncompressed_size = 0; // only for method 8
};

class ZipWriter {
 public:
  /// `fd` must be a new, empty file opened for writing (the writer seeks back into it to fill
  /// in a streamed record's CRC when none was expected).
  explicit ZipWriter(int fd, ZipWriterOptions options = {});

  /// A stored record from bytes in memory (data.pkl, version, ...).
  std::optional<Error> addRecord(std::string_view name, std::string_view data);

  /// A record of `size` bytes read through `read` chunk by chunk. For method 0 the CRC-32 is
  /// computed while copying. With `expected_crc` (the source's) it goes into the local header
  /// and bytes that do not match it are an error (a damaged input is never given a fresh, valid
  /// CRC) — unless verify_copied_crc is off: then it is written without reading the bytes twice. Without it the computed CRC is written into the local header afterwards (one seek
  /// back). For method 8 the bytes are copied as they are, with the source's CRC-32 and
  /// uncompressed size.
  std::optional<Error> addStreamedRecord(std::string_view name, uint64_t size, const ChunkReader& read,
                                         std::optional<uint32_t> expected_crc = std::nullopt,
                                         const CopiedCompression& compression = {});

  /// Writes the central directory and the end records. Returns the total bytes written.
  Result<uint64_t> finish();

  uint64_t bytesWritten() const { return offset_; }

 private:
  struct Entry {
    std::string name;
    uint16_t method = 0;
    uint32_t crc32 = 0;
    uint64_t compressed_size = 0;
    uint64_t uncompressed_size = 0;
    uint64_t header_offset = 0;
  };

  std::optional<Error> write(std::string_view bytes);
  std::optional<Error> checkName(std::string_view name) const;
  /// The local header (with padding) for `entry`, which starts at offset_.
  std::string localHeader(const Entry& entry) const;
  std::optional<Error> patchLocalCrc(const Entry& entry);

  int fd_;
  ZipWriterOptions options_;
  uint64_t offset_ = 0;
  bool finished_ = false;
  std::vector<Entry> entries_;
};

}  // namespace ckptlint::io
