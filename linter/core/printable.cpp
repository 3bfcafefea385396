#include "linter/core/printable.h"

#include <cstdint>
#include <cstdio>

namespace ckptlint {
namespace {

// Length of the valid UTF-8 sequence at `at` and its code point; 0 when invalid.
std::size_t decodeUtf8(std::string_view text, std::size_t at, uint32_t* code_point) {
  const uint8_t lead = static_cast<uint8_t>(text[at]);
  std::size_t length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                                       : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  uint32_t value = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
  for (std::size_t i = 1; i < length; ++i) {
    const uint8_t byte = static_cast<uint8_t>(text[at + i]);
    if ((byte & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte & 0x3F);
  }
  *code_point = value;
  return length;
}

// Characters that reorder, break or control a terminal line without being C0 controls.
bool needsEscape(uint32_t code_point) {
  return (code_point >= 0x80 && code_point <= 0x9F) ||                          // C1 controls (CSI, NEL)
         (code_point >= 0xD800 && code_point <= 0xDFFF) ||                      // lone surrogates
         (code_point >= 0x202A && code_point <= 0x202E) || (code_point >= 0x2066 && code_point <= 0x2069) ||
         code_point == 0x200E || code_point == 0x200F || code_point == 0x2028 || code_point == 0x2029;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buffer[16];
  std::size_t i = 0;
  while (i < text.size()) {
    uint32_t code_point = 0;
    const std::size_t length = decodeUtf8(text, i, &code_point);
    if (length == 0 || code_point < 0x20 || code_point == 0x7F) {
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<uint8_t>(text[i]));
      out += buffer;
      ++i;
    } else if (needsEscape(code_point)) {
      std::snprintf(buffer, sizeof buffer, "\\u{%04x}", code_point);
      out += buffer;
      i += length;
    } else {
      out.append(text, i, length);
      i += length;
    }
  }
  return out;
}

}  // namespace ckptlint
