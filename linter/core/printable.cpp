#include "linter/core/printable.h"

#include "linter/core/utf8.h"

#include <cstdint>
#include <cstdio>

namespace ckptlint {
namespace {

// Characters that reorder, break or control a terminal line without being C0 controls.
bool needsEscape(uint32_t code_point) {
  return (code_point >= 0x80 && code_point <= 0x9F) ||                          // C1 controls (CSI, NEL)
         isSurrogate(code_point) ||                      // lone surrogates
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
