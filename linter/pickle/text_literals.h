// Decoding of the literal forms pickles carry: protocol-0 text numbers and quoted strings,
// raw-unicode-escape text, and little-endian two's-complement big integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckptlint::pickle {

/// Decimal text of a little-endian two's-complement integer (LONG1/LONG4 payload).
std::string decimalFromLittleEndian(std::string_view bytes);

/// The int64 value of LE two's-complement bytes, if it fits.
std::optional<int64_t> int64FromLittleEndian(std::string_view bytes);

/// Protocol-0 STRING argument: a Python repr in single or double quotes, with backslash escapes.
std::optional<std::string> decodeQuotedString(std::string_view repr);

/// Protocol-0 UNICODE argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX), to UTF-8.
std::optional<std::string> decodeRawUnicodeEscape(std::string_view text);

/// Appends the UTF-8 encoding of a code point; false if it is not a valid scalar value.
bool appendUtf8(uint32_t code_point, std::string* out);

/// Latin-1 bytes -> UTF-8 (what torch.load's encoding="latin1" does with Py2 strings).
std::string latin1ToUtf8(std::string_view bytes);
bool isValidUtf8(std::string_view bytes);

}  // namespace ckptlint::pickle
