#include "linter/formats/file_kind.h"

#include <algorithm>
#include <cstdint>

namespace ckptlint::formats {
namespace {

// The pickle of torch's magic number 0x1950a86a20f9469cfc6c, which starts a legacy file, in the
// protocol torch.save was given: LONG1 of 10 bytes after PROTO 2..5 (and a FRAME from 4 on), or
// the text LONG of protocols 0 and 1.
bool startsWithLegacyMagic(std::string_view bytes) {
  constexpr std::string_view kLong1("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 13);
  constexpr std::string_view kTextLong = "L119547037146038801333356L\n.";
  if (bytes.substr(0, kTextLong.size()) == kTextLong) return true;
  if (bytes.size() < 2 || static_cast<uint8_t>(bytes[0]) != 0x80 || bytes[1] < 2 || bytes[1] > 5) return false;
  std::string_view rest = bytes.substr(2);
  const bool framed = bytes[1] >= 4 && !rest.empty() && static_cast<uint8_t>(rest[0]) == 0x95;
  if (framed) rest = rest.substr(std::min<std::size_t>(9, rest.size()));  // FRAME and its 8-byte length
  return rest.substr(0, kLong1.size()) == kLong1;
}

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// An 8-byte length, then a JSON object (the reference reader accepts leading whitespace).
// The length of any real header is far below 2^56, so its bytes hold a NUL; JSON text never
// does, which keeps a JSON document from being taken for a safetensors file. The length is
// not bounded here: the safetensors reader says precisely what is wrong with it.
bool looksLikeSafetensors(std::string_view bytes) {
  if (bytes.size() < 10) return false;
  bool has_control_byte = false;
  for (std::size_t i = 0; i < 8; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    has_control_byte = has_control_byte || (byte < 0x20 && !isJsonSpace(bytes[i]));
  }
  if (!has_control_byte) return false;
  std::size_t first = 8;
  while (first < bytes.size() && first < 64 && isJsonSpace(bytes[first])) ++first;
  return first < bytes.size() && bytes[first] == '{';
}

}  // namespace

bool startsLikeJsonObject(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 byte order mark
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

FileKind detectFileKind(std::string_view bytes) {
  if (bytes.empty()) return FileKind::kEmpty;
  // Like torch, look at the start only: a zip with a prefix is not a checkpoint.
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4) || bytes.substr(0, 4) == std::string_view("PK\x05\x06", 4)) {
    return FileKind::kZip;
  }
  if (bytes.substr(0, 8) == "PYTORCH1") return FileKind::kPreviewZip;
  if (bytes.substr(0, 40) == "version https://git-lfs.github.com/spec/") return FileKind::kGitLfsPointer;
  if (startsWithLegacyMagic(bytes)) return FileKind::kLegacyPickle;
  if (bytes.size() >= 262 && bytes.substr(257, 5) == "ustar") return FileKind::kLegacyTar;
  if (looksLikeSafetensors(bytes)) return FileKind::kSafetensors;
  if (static_cast<uint8_t>(bytes[0]) == 0x80 && bytes.size() > 1 && static_cast<uint8_t>(bytes[1]) <= 5) {
    return FileKind::kPlainPickle;
  }
  return FileKind::kUnknown;
}

}  // namespace ckptlint::formats
