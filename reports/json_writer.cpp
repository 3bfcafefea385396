#include "reports/json_writer.h"

#include "linter/core/utf8.h"

namespace ckptlint::reports {

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ << bracket;
  first_in_scope_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket, int indent) {
  const bool empty = first_in_scope_.back();
  first_in_scope_.pop_back();
  if (indent >= 0 && !empty) out_ << '\n' << std::string(static_cast<std::size_t>(indent), ' ');
  out_ << bracket;
  return *this;
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_in_scope_.empty()) {
    if (!first_in_scope_.back()) out_ << ", ";
    first_in_scope_.back() = false;
  }
}

JsonWriter& JsonWriter::nextOnNewLine(int indent) {
  if (!first_in_scope_.empty() && !first_in_scope_.back()) {
    out_ << ',';
    first_in_scope_.back() = true;  // the comma is written; the next item must not add one
  }
  out_ << '\n' << std::string(static_cast<std::size_t>(indent), ' ');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  writeString(name);
  out_ << ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  writeString(text);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  separate();
  out_ << number;
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t number) {
  separate();
  out_ << number;
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ << (flag ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ << "null";
  return *this;
}

void JsonWriter::writeString(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  buffer_.assign(1, '"');
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x80) {
      if (byte == '"' || byte == '\\') {
        buffer_ += '\\';
        buffer_ += static_cast<char>(byte);
      } else if (byte < 0x20) {
        buffer_ += "\\u00";
        buffer_ += kHex[byte >> 4];
        buffer_ += kHex[byte & 15];
      } else {
        buffer_ += static_cast<char>(byte);
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: copied when valid, a surrogate as \uXXXX, anything else U+FFFD.
    uint32_t code_point = 0;
    const std::size_t length = decodeUtf8(text, i, &code_point);
    if (length == 0) {
      buffer_ += "\xEF\xBF\xBD";
      ++i;
    } else if (isSurrogate(code_point)) {
      buffer_ += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) buffer_ += kHex[(code_point >> shift) & 15];
      i += length;
    } else {
      buffer_.append(text, i, length);
      i += length;
    }
  }
  buffer_ += '"';
  out_ << buffer_;
}

}  // namespace ckptlint::reports
