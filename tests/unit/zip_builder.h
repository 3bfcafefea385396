// Test helper: writes zip archives in memory the way PyTorch's writer (miniz) lays them out,
// with knobs to break them in the ways hostile or damaged files do.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ckptlint::testing {

struct ZipBuildEntry {
  ZipBuildEntry(std::string entry_name, std::string entry_data, bool deflated = false)
      : name(std::move(entry_name)), data(std::move(entry_data)), deflate(deflated) {}
  std::string name;
  std::string data;
  bool deflate = false;
  std::string local_name;  // empty: same as name
};

struct ZipBuildOptions {
  bool zip64 = false;           // ZIP64 end records, and 0xFFFFFFFF markers + extra fields per entry
  bool sizes_in_descriptor = true;  // PyTorch: zeros in the local header, data descriptor after
  uint32_t alignment = 64;      // FB padding so data starts aligned (0: no FB field)
};

inline void putLE(std::string& out, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

inline std::string deflateRaw(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

inline std::string buildZip(const std::vector<ZipBuildEntry>& entries, const ZipBuildOptions& options = {}) {
  struct Written {
    uint64_t offset;
    uint32_t crc;
    uint64_t compressed;
  };
  std::string out;
  std::vector<Written> written;
  const uint16_t flags = options.sizes_in_descriptor ? 0x0808 : 0x0800;
  for (const ZipBuildEntry& entry : entries) {
    const std::string payload = entry.deflate ? deflateRaw(entry.data) : entry.data;
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(entry.data.data()),
                                                     static_cast<uInt>(entry.data.size())));
    const std::string& local_name = entry.local_name.empty() ? entry.name : entry.local_name;
    const uint64_t offset = out.size();
    std::string extra;
    if (options.alignment != 0) {
      const uint64_t before = offset + 30 + local_name.size() + 4;
      const uint64_t padding = (options.alignment - before % options.alignment) % options.alignment;
      extra = "FB";
      putLE(extra, padding, 2);
      extra.append(padding, 'Z');
    }
    putLE(out, 0x04034b50, 4);
    putLE(out, entry.deflate ? 20 : 0, 2);
    putLE(out, flags, 2);
    putLE(out, entry.deflate ? 8 : 0, 2);
    putLE(out, 0, 4);  // time, date
    putLE(out, options.sizes_in_descriptor ? 0 : crc, 4);
    putLE(out, options.sizes_in_descriptor ? 0 : payload.size(), 4);
    putLE(out, options.sizes_in_descriptor ? 0 : entry.data.size(), 4);
    putLE(out, local_name.size(), 2);
    putLE(out, extra.size(), 2);
    out += local_name;
    out += extra;
    out += payload;
    if (options.sizes_in_descriptor) {
      putLE(out, 0x08074b50, 4);
      putLE(out, crc, 4);
      putLE(out, payload.size(), 4);
      putLE(out, entry.data.size(), 4);
    }
    written.push_back({offset, crc, payload.size()});
  }
  const uint64_t directory_offset = out.size();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const ZipBuildEntry& entry = entries[i];
    std::string extra;
    if (options.zip64) {
      putLE(extra, 0x0001, 2);
      putLE(extra, 24, 2);
      putLE(extra, entry.data.size(), 8);
      putLE(extra, written[i].compressed, 8);
      putLE(extra, written[i].offset, 8);
    }
    const uint64_t marker = 0xFFFFFFFF;
    putLE(out, 0x02014b50, 4);
    putLE(out, 0, 2);
    putLE(out, entry.deflate ? 20 : 0, 2);
    putLE(out, flags, 2);
    putLE(out, entry.deflate ? 8 : 0, 2);
    putLE(out, 0, 4);
    putLE(out, written[i].crc, 4);
    putLE(out, options.zip64 ? marker : written[i].compressed, 4);
    putLE(out, options.zip64 ? marker : entry.data.size(), 4);
    putLE(out, entry.name.size(), 2);
    putLE(out, extra.size(), 2);
    putLE(out, 0, 2);  // comment
    putLE(out, 0, 2);  // disk
    putLE(out, 0, 2);  // internal attributes
    putLE(out, 0, 4);  // external attributes
    putLE(out, options.zip64 ? marker : written[i].offset, 4);
    out += entry.name;
    out += extra;
  }
  const uint64_t directory_size = out.size() - directory_offset;
  if (options.zip64) {
    const uint64_t zip64_end = out.size();
    putLE(out, 0x06064b50, 4);
    putLE(out, 44, 8);
    putLE(out, 45, 2);
    putLE(out, 45, 2);
    putLE(out, 0, 4);
    putLE(out, 0, 4);
    putLE(out, entries.size(), 8);
    putLE(out, entries.size(), 8);
    putLE(out, directory_size, 8);
    putLE(out, directory_offset, 8);
    putLE(out, 0x07064b50, 4);
    putLE(out, 0, 4);
    putLE(out, zip64_end, 8);
    putLE(out, 1, 4);
  }
  putLE(out, 0x06054b50, 4);
  putLE(out, 0, 2);
  putLE(out, 0, 2);
  putLE(out, options.zip64 ? 0xFFFF : entries.size(), 2);
  putLE(out, options.zip64 ? 0xFFFF : entries.size(), 2);
  putLE(out, options.zip64 ? 0xFFFFFFFF : directory_size, 4);
  putLE(out, options.zip64 ? 0xFFFFFFFF : directory_offset, 4);
  putLE(out, 0, 2);
  return out;
}

}  // namespace ckptlint::testing
