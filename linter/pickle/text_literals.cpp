#include "linter/pickle/text_literals.h"

#include "linter/core/utf8.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace ckptlint::pickle {
namespace {

// An unsigned integer of any size, base 2^32, least significant limb first. Integers that do
// not fit int64 are kept as canonical hex text ("0x1f", "-0x1f"): linear to produce, unlike
// decimal, so a pickle full of huge literals cannot make the reader quadratic.
class BigUnsigned {
 public:
  // For decimal input only, which Python bounds to 4300 digits.
  void multiplyAdd(uint32_t factor, uint32_t addend) {
    uint64_t carry = addend;
    for (uint32_t& limb : limbs_) {
      const uint64_t value = static_cast<uint64_t>(limb) * factor + carry;
      limb = static_cast<uint32_t>(value);
      carry = value >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<uint32_t>(carry));
  }

  // Digits of a power-of-two base, least significant first, `bits` bits each.
  void appendLowDigit(uint32_t digit, unsigned bits) {
    const std::size_t limb = bit_count_ / 32;
    const unsigned shift = bit_count_ % 32;
    if (limb >= limbs_.size()) limbs_.push_back(0);
    limbs_[limb] |= digit << shift;
    if (shift + bits > 32) limbs_.push_back(digit >> (32 - shift));
    bit_count_ += bits;
  }

  static BigUnsigned fromLittleEndianBytes(const std::vector<uint8_t>& bytes) {
    BigUnsigned number;
    number.limbs_.assign((bytes.size() + 3) / 4, 0);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      number.limbs_[i / 4] |= static_cast<uint32_t>(bytes[i]) << (8 * (i % 4));
    }
    return number;
  }

  // The value as int64 with the given sign, if it fits.
  std::optional<int64_t> toInt64(bool negative) const {
    std::size_t used = limbs_.size();
    while (used > 0 && limbs_[used - 1] == 0) --used;
    if (used > 2) return std::nullopt;
    const uint64_t magnitude = (used > 1 ? uint64_t{limbs_[1]} << 32 : 0) | (used > 0 ? limbs_[0] : 0);
    if (!negative && magnitude <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(magnitude);
    if (negative && magnitude <= uint64_t{1} << 63) return static_cast<int64_t>(0 - magnitude);
    return std::nullopt;
  }

  std::string hex(bool negative) const {
    static const char kDigits[] = "0123456789abcdef";
    std::string out = negative ? "-0x" : "0x";
    bool leading = true;
    for (std::size_t limb = limbs_.size(); limb-- > 0;) {
      for (int shift = 28; shift >= 0; shift -= 4) {
        const uint32_t nibble = (limbs_[limb] >> shift) & 0xF;
        if (leading && nibble == 0) continue;
        leading = false;
        out += kDigits[nibble];
      }
    }
    if (leading) out += '0';
    return out;
  }

  // Canonical text: decimal when it fits int64, hex beyond.
  std::string canonical(bool negative) const {
    if (std::optional<int64_t> small = toInt64(negative)) return std::to_string(*small);
    return hex(negative);
  }

 private:
  std::vector<uint32_t> limbs_;
  std::size_t bit_count_ = 0;
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

int digitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

std::optional<uint32_t> parseHex(std::string_view digits) {
  uint32_t value = 0;
  for (char c : digits) {
    const int digit = digitValue(c);
    if (digit >= 16) return std::nullopt;
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  return value;
}

}  // namespace

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

std::string canonicalFromLittleEndian(std::string_view bytes) {
  if (auto small = int64FromLittleEndian(bytes)) return std::to_string(*small);
  std::vector<uint8_t> magnitude(bytes.begin(), bytes.end());
  const bool negative = (magnitude.back() & 0x80) != 0;
  if (negative) {  // two's complement negation
    int carry = 1;
    for (uint8_t& byte : magnitude) {
      const int sum = static_cast<uint8_t>(~byte) + carry;
      byte = static_cast<uint8_t>(sum & 0xFF);
      carry = sum >> 8;
    }
  }
  return BigUnsigned::fromLittleEndianBytes(magnitude).canonical(negative);
}

std::optional<int64_t> cStrtolBase0(std::string_view text) {
  const std::string copy(text);  // strtol needs a terminated string
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(copy.c_str(), &end, 0);
  if (errno != 0 || end != copy.c_str() + copy.size()) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<std::string> pythonIntBase0(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && isSpace(text[i])) ++i;
  std::size_t end = text.size();
  while (end > i && isSpace(text[end - 1])) --end;
  text = text.substr(i, end - i);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  uint32_t base = 10;
  bool prefixed = false;
  if (text.size() >= 2 && text[0] == '0') {
    const char marker = static_cast<char>(text[1] | 0x20);
    if (marker == 'x') base = 16;
    if (marker == 'o') base = 8;
    if (marker == 'b') base = 2;
    prefixed = base != 10;
  }
  if (prefixed) text.remove_prefix(2);
  // Digits with single underscores between them; right after a prefix one may lead ("0x_ff").
  std::string digits;
  bool all_zero = true;
  bool may_take_underscore = prefixed;
  bool ends_with_underscore = false;
  for (char c : text) {
    if (c == '_') {
      if (!may_take_underscore) return std::nullopt;
      may_take_underscore = false;
      ends_with_underscore = true;
      continue;
    }
    const int digit = digitValue(c);
    if (digit >= static_cast<int>(base)) return std::nullopt;
    digits += static_cast<char>(digit);
    all_zero = all_zero && digit == 0;
    may_take_underscore = true;
    ends_with_underscore = false;
  }
  if (digits.empty() || ends_with_underscore) return std::nullopt;
  if (base == 10 && text[0] == '0' && !all_zero) return std::nullopt;  // "010" is a SyntaxError in Python 3
  if (base == 10 && digits.size() > 4300) return std::nullopt;         // sys.int_info.default_max_str_digits
  BigUnsigned value;
  if (base == 10) {
    for (char digit : digits) value.multiplyAdd(10, static_cast<uint32_t>(digit));
  } else {
    const unsigned bits = base == 16 ? 4 : base == 8 ? 3 : 1;
    for (std::size_t k = digits.size(); k-- > 0;) value.appendLowDigit(static_cast<uint32_t>(digits[k]), bits);
  }
  return value.canonical(negative);
}

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
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '\\') {
      appendUtf8(static_cast<uint8_t>(text[i++]), &out);  // other bytes are Latin-1
      continue;
    }
    std::size_t run = 0;
    while (i < text.size() && text[i] == '\\') {
      out.push_back('\\');
      ++run;
      ++i;
    }
    // Only an odd run of backslashes escapes the following u/U.
    if (run % 2 == 0 || i >= text.size() || (text[i] != 'u' && text[i] != 'U')) continue;
    out.pop_back();
    const std::size_t width = text[i] == 'u' ? 4 : 8;
    if (i + 1 + width > text.size()) return std::nullopt;
    auto code_point = parseHex(text.substr(i + 1, width));
    if (!code_point || !appendUtf8(*code_point, &out)) return std::nullopt;
    i += 1 + width;
  }
  return out;
}

std::string latin1ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) appendUtf8(static_cast<uint8_t>(c), &out);
  return out;
}

}  // namespace ckptlint::pickle
