#include "linter/formats/python_repr.h"

#include "linter/core/utf8.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace ckptlint::formats {
namespace {

using pickle::Value;
using pickle::ValueKind;

constexpr int kMaxDepth = 16;

// float.__repr__: the shortest digits that round-trip, fixed notation for decimal exponents in
// [-4, 16), else d.ddde±XX.
std::string floatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (ec != std::errc()) return "<float>";
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  const std::size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::stoi(std::string(text.substr(e + 1)));
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      const std::size_t integer_digits = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= integer_digits) {
        out += digits + std::string(integer_digits - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
      }
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exponent_text[16];
  std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exponent_text;
}

// The code point at `at` and its length; a byte that is not UTF-8 stands for itself (the
// reader validates strings, so this only guards against misuse).
std::size_t nextCodePoint(std::string_view text, std::size_t at, uint32_t* code_point) {
  const std::size_t length = decodeUtf8(text, at, code_point);
  if (length != 0) return length;
  *code_point = static_cast<uint8_t>(text[at]);
  return 1;
}

// Code points str.__repr__ escapes beyond ASCII controls: C1 controls, NBSP, separators,
// surrogates, bidi and other format controls (an approximation of "not printable").
bool unprintable(uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD || (c >= 0x2000 && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202F) || (c >= 0x2060 && c <= 0x206F) || isSurrogate(c) ||
         c == 0xFEFF;
}

std::string quoted(std::string_view body, bool has_single, bool has_double) {
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : body) {
    if (c == quote) out += '\\';
    out += c;
  }
  return out + quote;
}

void appendEscape(uint32_t c, std::string* out) {
  char buffer[16];
  if (c == '\t') *out += "\\t";
  else if (c == '\n') *out += "\\n";
  else if (c == '\r') *out += "\\r";
  else if (c <= 0xFF) std::snprintf(buffer, sizeof buffer, "\\x%02x", c), *out += buffer;
  else if (c <= 0xFFFF) std::snprintf(buffer, sizeof buffer, "\\u%04x", c), *out += buffer;
  else std::snprintf(buffer, sizeof buffer, "\\U%08x", c), *out += buffer;
}

std::string strRepr(std::string_view text) {
  std::string body;
  bool has_single = false;
  bool has_double = false;
  for (std::size_t i = 0; i < text.size();) {
    uint32_t c = 0;
    const std::size_t length = nextCodePoint(text, i, &c);
    if (c == '\\') body += "\\\\";
    else if (unprintable(c)) appendEscape(c, &body);
    else body.append(text, i, length);
    has_single = has_single || c == '\'';
    has_double = has_double || c == '"';
    i += length;
  }
  return quoted(body, has_single, has_double);
}

std::string bytesRepr(std::string_view bytes) {
  std::string body;
  bool has_single = false;
  bool has_double = false;
  for (char raw : bytes) {
    const auto c = static_cast<uint8_t>(raw);
    if (c == '\\') body += "\\\\";
    else if (c < 0x20 || c >= 0x7F) appendEscape(c, &body);
    else body += static_cast<char>(c);
    has_single = has_single || c == '\'';
    has_double = has_double || c == '"';
  }
  return "b" + quoted(body, has_single, has_double);
}

// Protocol 2 pickles bytes as _codecs.encode(<latin-1 text>, 'latin1').
bool asLatin1Bytes(const Value& value, std::string* bytes) {
  const Value* callee = value.callee();
  const Value* args = value.args();
  if (callee == nullptr || !callee->isGlobal("_codecs", "encode") || args == nullptr ||
      args->kind != ValueKind::kTuple || args->items.size() != 2 || !args->items[0]->isString() ||
      !args->items[1]->isString() || args->items[1]->text != "latin1") {
    return false;
  }
  const std::string& text = args->items[0]->text;
  bytes->clear();
  for (std::size_t i = 0; i < text.size();) {
    uint32_t c = 0;
    i += nextCodePoint(text, i, &c);
    if (c > 0xFF) return false;
    *bytes += static_cast<char>(c);
  }
  return true;
}

std::string repr(const Value& value, int depth) {
  switch (value.kind) {
    case ValueKind::kNone: return "None";
    case ValueKind::kBool: return value.boolean ? "True" : "False";
    case ValueKind::kInt: return value.big_int ? value.text : std::to_string(value.integer);
    case ValueKind::kFloat: return floatRepr(value.real);
    case ValueKind::kString: return strRepr(value.text);
    case ValueKind::kBytes: return bytesRepr(value.text);
    case ValueKind::kTuple: {
      if (depth >= kMaxDepth) return "(...)";
      std::string out = "(";
      for (std::size_t i = 0; i < value.items.size(); ++i) out += (i > 0 ? ", " : "") + repr(*value.items[i], depth + 1);
      return out + (value.items.size() == 1 ? ",)" : ")");
    }
    case ValueKind::kCall: {
      std::string bytes;
      if (asLatin1Bytes(value, &bytes)) return bytesRepr(bytes);
      return "<object>";
    }
    case ValueKind::kGlobal: return "<" + value.dottedName() + ">";
    default: return std::string("<") + pickle::kindName(value.kind) + ">";
  }
}

}  // namespace

std::string pythonRepr(const Value& value) { return repr(value, 0); }

}  // namespace ckptlint::formats
