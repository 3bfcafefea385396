// JsonWriter: streams JSON text straight to an ostream (no document in memory), for reports
// that list hundreds of thousands of tensors. Commas and nesting are tracked; strings are
// escaped exactly (lone surrogates as \uXXXX, invalid UTF-8 bytes as U+FFFD).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ckptlint::reports {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}

  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& beginArray() { return open('['); }
  /// With `indent` >= 0 a non-empty scope closes on a new line indented that far.
  JsonWriter& endObject(int indent = -1) { return close('}', indent); }
  JsonWriter& endArray(int indent = -1) { return close(']', indent); }
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(int64_t number);
  JsonWriter& value(uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();
  /// Puts the next member or element on its own line, indented (one element per line).
  JsonWriter& nextOnNewLine(int indent);

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket, int indent);
  void separate();
  void writeString(std::string_view text);

  std::ostream& out_;
  std::vector<bool> first_in_scope_;  // per open scope: nothing written in it yet
  bool after_key_ = false;
  std::string buffer_;
};

}  // namespace ckptlint::reports
