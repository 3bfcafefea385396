#include "linter/model/torchscript_archive.h"

#include "linter/io/zip_reader.h"

namespace ckptlint::model {

bool isTorchScriptArchive(const io::MappedFile& file) {
  auto read_header = [&file](uint64_t offset, std::size_t size, std::string* out) {
    return file.readAt(offset, size, out);
  };
  const Result<io::ZipArchive> zip = io::ZipArchive::read(file.bytes(), {}, read_header);
  if (!zip) return false;
  bool has_constants = false;
  bool has_code = false;
  for (const io::ZipEntry& entry : zip->entries()) {
    // Every record lies under one root folder, whatever its name.
    const std::size_t slash = entry.name.find('/');
    if (slash == std::string::npos) continue;
    const std::string_view inside = std::string_view(entry.name).substr(slash + 1);
    has_constants = has_constants || inside == "constants.pkl";
    has_code = has_code || inside.substr(0, 5) == "code/";
  }
  return has_constants && has_code;
}

}  // namespace ckptlint::model
