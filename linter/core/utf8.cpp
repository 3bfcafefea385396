#include "linter/core/utf8.h"

namespace ckptlint {

std::size_t decodeUtf8(std::string_view text, std::size_t at, uint32_t* code_point) {
  const auto lead = static_cast<uint8_t>(text[at]);
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  const std::size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  uint32_t value = length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<uint8_t>(text[at + k]);
    if ((next & 0xC0) != 0x80) return 0;
    value = (value << 6) | (next & 0x3F);
  }
  if ((length == 3 && value < 0x800) || (length == 4 && (value < 0x10000 || value > 0x10FFFF))) return 0;
  *code_point = value;
  return length;
}

bool isValidUtf8(std::string_view bytes, bool allow_surrogates) {
  for (std::size_t i = 0; i < bytes.size();) {
    if (static_cast<uint8_t>(bytes[i]) < 0x80) {  // ASCII, nearly every key: no decoding
      ++i;
      continue;
    }
    uint32_t code_point = 0;
    const std::size_t length = decodeUtf8(bytes, i, &code_point);
    if (length == 0 || (!allow_surrogates && isSurrogate(code_point))) return false;
    i += length;
  }
  return true;
}

bool appendUtf8(uint32_t code_point, std::string* out) {
  if (code_point > 0x10FFFF) return false;
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
  return true;
}

}  // namespace ckptlint
