// libFuzzer harness: the zip reader on arbitrary bytes — the directory, every local header,
// and every record's content (inflated within small limits) with its CRC.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/io/zip_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  ckptlint::io::ZipLimits limits;
  limits.max_inflated_size = 1 << 20;  // keep each run small; the bound itself is what is tested
  ckptlint::Result<ckptlint::io::ZipArchive> zip = ckptlint::io::ZipArchive::read(file, limits);
  if (!zip) return 0;
  for (const ckptlint::io::ZipEntry& entry : zip->entries()) {
    zip->find(entry.name);
    ckptlint::Result<ckptlint::io::RecordBytes> bytes = zip->read(entry);
    if (bytes) (void)ckptlint::io::checkCrc(entry, bytes->bytes());
  }
  return 0;
}
