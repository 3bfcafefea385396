// Decoding of the literal forms pickles carry, the way CPython's unpickler reads them:
// protocol-0 text integers (C strtol and Python int() rules), quoted strings,
// raw-unicode-escape text, and little-endian two's-complement big integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckptlint::pickle {

/// Canonical text of a little-endian two's-complement integer (LONG1/LONG4 payload):
/// decimal when it fits int64, else hex ("0x…", "-0x…"), which is linear to produce.
std::string canonicalFromLittleEndian(std::string_view bytes);

/// The int64 value of LE two's-complement bytes, if it fits.
std::optional<int64_t> int64FromLittleEndian(std::string_view bytes);

/// C's strtol(text, &end, 0) required to consume all of `text` (what the INT opcode tries
/// first): whitespace, sign, 0x hex, leading-0 octal. nullopt on overflow or leftovers.
std::optional<int64_t> cStrtolBase0(std::string_view text);

/// Python's int(text, 0) (what LONG, and INT after strtol fails, use): whitespace, sign,
/// 0x/0o/0b prefixes, single underscores between digits, no leading zeros in decimal, at most
/// 4300 decimal digits. Returns canonical text (as canonicalFromLittleEndian), or nullopt where
/// Python raises.
std::optional<std::string> pythonIntBase0(std::string_view text);

/// Protocol-0 STRING argument: a Python repr in single or double quotes, with backslash escapes.
std::optional<std::string> decodeQuotedString(std::string_view repr);

/// Protocol-0 UNICODE argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX after an odd run of
/// backslashes; other bytes are Latin-1), to UTF-8.
std::optional<std::string> decodeRawUnicodeEscape(std::string_view text);

/// Latin-1 bytes -> UTF-8 (what torch.load(encoding="latin1") does with Python 2 strings).
std::string latin1ToUtf8(std::string_view bytes);

}  // namespace ckptlint::pickle
