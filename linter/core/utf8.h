// UTF-8 decoding and encoding, the one place the project reads code points out of bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ckptlint {

/// Decodes the sequence at `at`: its length in bytes, or 0 when the bytes there are not UTF-8
/// as CPython's decoder accepts it (overlong forms, above U+10FFFF, cut short). Encoded
/// surrogates (U+D800..DFFF) decode: pickles carry them (errors="surrogatepass").
std::size_t decodeUtf8(std::string_view text, std::size_t at, uint32_t* code_point);

inline bool isSurrogate(uint32_t code_point) { return code_point >= 0xD800 && code_point <= 0xDFFF; }

/// Whole-string check; surrogates only with `allow_surrogates` (Python 2 byte strings are
/// decoded strictly, BINUNICODE with surrogatepass).
bool isValidUtf8(std::string_view bytes, bool allow_surrogates = true);

/// Appends the UTF-8 encoding of a code point; false if it is above U+10FFFF.
bool appendUtf8(uint32_t code_point, std::string* out);

}  // namespace ckptlint
