// ByteCursor: bounds-checked little-endian reads over a byte span.
// Running past the end throws FormatError, which parsers catch at their public entry point
// and turn into a Result error (exceptions never cross a component boundary).
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ckptlint::io {

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteCursor {
 public:
  explicit ByteCursor(std::string_view bytes, uint64_t position = 0) : bytes_(bytes), position_(position) {}

  uint64_t position() const { return position_; }
  uint64_t remaining() const { return position_ <= bytes_.size() ? bytes_.size() - position_ : 0; }
  bool atEnd() const { return remaining() == 0; }
  void seek(uint64_t position) { position_ = position; }

  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint16_t u16() { return static_cast<uint16_t>(little(take(2), 2)); }
  uint32_t u32() { return static_cast<uint32_t>(little(take(4), 4)); }
  uint64_t u64() { return little(take(8), 8); }
  int32_t i32() { return static_cast<int32_t>(u32()); }

  /// The next `count` bytes, as a view into the underlying span.
  std::string_view take(uint64_t count) {
    if (count > remaining()) {
      throw FormatError("unexpected end of data at offset " + std::to_string(position_) + " (needed " +
                        std::to_string(count) + " bytes, " + std::to_string(remaining()) + " left)");
    }
    std::string_view view = bytes_.substr(position_, count);
    position_ += count;
    return view;
  }

  /// Bytes up to (not including) the next '\n', which is consumed.
  std::string_view line() {
    const std::size_t newline = position_ < bytes_.size() ? bytes_.find('\n', position_) : std::string_view::npos;
    if (newline == std::string_view::npos) {
      throw FormatError("unexpected end of data at offset " + std::to_string(position_) + " (unterminated line)");
    }
    std::string_view view = bytes_.substr(position_, newline - position_);
    position_ = newline + 1;
    return view;
  }

  static uint64_t little(std::string_view bytes, int width) {
    uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    return value;
  }

 private:
  std::string_view bytes_;
  uint64_t position_;
};

}  // namespace ckptlint::io
