#include "linter/formats/file_kind.h"

#include <cstdint>

namespace ckptlint::formats {
namespace {

// PROTO 2, LONG1 of 10 bytes: the magic number 0x1950a86a20f9469cfc6c.
constexpr std::string_view kLegacyMagic("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14);

bool looksLikeSafetensors(std::string_view bytes) {
  if (bytes.size() < 10) return false;
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | static_cast<uint8_t>(bytes[i]);
  return header_size >= 2 && header_size <= bytes.size() - 8 && bytes[8] == '{';
}

}  // namespace

FileKind detectFileKind(std::string_view bytes) {
  if (bytes.empty()) return FileKind::kEmpty;
  // Like torch, look at the start only: a zip with a prefix is not a checkpoint.
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4) || bytes.substr(0, 4) == std::string_view("PK\x05\x06", 4)) {
    return FileKind::kZip;
  }
  if (bytes.substr(0, 8) == "PYTORCH1") return FileKind::kPreviewZip;
  if (bytes.substr(0, kLegacyMagic.size()) == kLegacyMagic) return FileKind::kLegacyPickle;
  if (bytes.size() >= 262 && bytes.substr(257, 5) == "ustar") return FileKind::kLegacyTar;
  if (looksLikeSafetensors(bytes)) return FileKind::kSafetensors;
  if (static_cast<uint8_t>(bytes[0]) == 0x80 && bytes.size() > 1 && static_cast<uint8_t>(bytes[1]) <= 5) {
    return FileKind::kPlainPickle;
  }
  return FileKind::kUnknown;
}

}  // namespace ckptlint::formats
