#include "linter/pickle/text_literals.h"

#include <algorithm>
#include <vector>

namespace ckptlint::pickle {

std::optional<int64_t> int64FromLittleEndian(std::string_view bytes) {
  if (bytes.empty()) return 0;
  if (bytes.size() > 8) {
    // Longer encodings still fit when the extra bytes are pure sign extension.
    const uint8_t sign = (static_cast<uint8_t>(bytes[7]) & 0x80) ? 0xFF : 0x00;
    for (std::size_t i = 8; i < bytes.size(); ++i) {
      if (static_cast<uint8_t>(bytes[i]) != sign) return std::nullopt;
    }
    bytes = bytes.substr(0, 8);
  }
  uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  if (bytes.size() < 8 && (static_cast<uint8_t>(bytes.back()) & 0x80)) {
    value |= ~uint64_t{0} << (8 * bytes.size());  // sign-extend
  }
  return static_cast<int64_t>(value);
}

std::string decimalFromLittleEndian(std::string_view bytes) {
  if (auto small = int64FromLittleEndian(bytes)) return std::to_string(*small);
  // Magnitude in two's complement negated if needed, then repeated division by 1e9.
  std::vector<uint8_t> magnitude(bytes.begin(), bytes.end());
  const bool negative = (magnitude.back() & 0x80) != 0;
  if (negative) {  // two's complement negate
    int carry = 1;
    for (uint8_t& byte : magnitude) {
      const int sum = static_cast<uint8_t>(~byte) + carry;
      byte = static_cast<uint8_t>(sum & 0xFF);
      carry = sum >> 8;
    }
  }
  // Base-2^32 limbs, most significant first, as the long division below wants them.
  std::vector<uint32_t> limbs((magnitude.size() + 3) / 4, 0);
  for (std::size_t i = 0; i < magnitude.size(); ++i) {
    limbs[limbs.size() - 1 - i / 4] |= static_cast<uint32_t>(magnitude[i]) << (8 * (i % 4));
  }
  std::string digits;
  while (!limbs.empty()) {
    uint64_t remainder = 0;
    for (uint32_t& limb : limbs) {
      const uint64_t current = (remainder << 32) | limb;
      limb = static_cast<uint32_t>(current / 1000000000u);
      remainder = current % 1000000000u;
    }
    while (!limbs.empty() && limbs.front() == 0) limbs.erase(limbs.begin());
    std::string chunk = std::to_string(remainder);
    if (!limbs.empty()) chunk.insert(0, 9 - chunk.size(), '0');
    digits.insert(0, chunk);
  }
  if (digits.empty()) digits = "0";
  return negative ? "-" + digits : digits;
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

namespace {

std::optional<uint32_t> parseHex(std::string_view digits) {
  uint32_t value = 0;
  for (char c : digits) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return std::nullopt;
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  return value;
}

}  // namespace

std::optional<std::string> decodeQuotedString(std::string_view repr) {
  if (repr.size() < 2 || (repr.front() != '\'' && repr.front() != '"') || repr.back() != repr.front()) {
    return std::nullopt;
  }
  repr = repr.substr(1, repr.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < repr.size(); ++i) {
    if (repr[i] != '\\') {
      out.push_back(repr[i]);
      continue;
    }
    if (++i == repr.size()) return std::nullopt;
    const char c = repr[i];
    switch (c) {
      case '\\': out.push_back('\\'); break;
      case '\'': out.push_back('\''); break;
      case '"': out.push_back('"'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        if (i + 2 >= repr.size()) return std::nullopt;
        auto value = parseHex(repr.substr(i + 1, 2));
        if (!value) return std::nullopt;
        out.push_back(static_cast<char>(*value));
        i += 2;
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint32_t value = 0;
          std::size_t digits = 0;
          while (digits < 3 && i < repr.size() && repr[i] >= '0' && repr[i] <= '7') {
            value = value * 8 + static_cast<uint32_t>(repr[i] - '0');
            ++i;
            ++digits;
          }
          --i;
          out.push_back(static_cast<char>(value & 0xFF));
        } else {
          out.push_back('\\');  // unknown escapes stay as written, like Python
          out.push_back(c);
        }
    }
  }
  return out;
}

std::optional<std::string> decodeRawUnicodeEscape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'u' || text[i + 1] == 'U')) {
      const std::size_t width = text[i + 1] == 'u' ? 4 : 8;
      if (i + 2 + width > text.size()) return std::nullopt;
      auto code_point = parseHex(text.substr(i + 2, width));
      if (!code_point || !appendUtf8(*code_point, &out)) return std::nullopt;
      i += 1 + width;
    } else {
      // raw-unicode-escape stores other characters as Latin-1 bytes.
      appendUtf8(static_cast<uint8_t>(text[i]), &out);
    }
  }
  return out;
}

std::string latin1ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) appendUtf8(static_cast<uint8_t>(c), &out);
  return out;
}

bool isValidUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t lead = static_cast<uint8_t>(bytes[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > bytes.size()) return false;
    for (std::size_t j = 1; j < length; ++j) {
      if ((static_cast<uint8_t>(bytes[i + j]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace ckptlint::pickle
