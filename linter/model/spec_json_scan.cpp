#include "linter/model/spec_json_scan.h"

#include <cstdint>
#include <limits>
#include <string>

#include "linter/core/utf8.h"
#include "linter/model/spec_json.h"

namespace ckptlint::model {
namespace {

// Every step either matches the next token of the written layout or returns false; nothing is
// reported, since the general readers take over from the start.
class WrittenSpecScanner {
 public:
  explicit WrittenSpecScanner(std::string_view text) : text_(text) {}

  std::optional<ModelSpec> scan() {
    ModelSpec spec;
    std::string_view format;
    uint64_t version = 0;
    if (!token("{") || !member("format") || !plainString(&format) || format != kSpecFormat || !token(",") ||
        !member("version") || !count(&version) || version != static_cast<uint64_t>(kSpecVersion) || !token(",")) {
      return std::nullopt;
    }
    if (token("\"source\"")) {
      std::string_view source;
      if (!token(":") || !plainString(&source) || !token(",")) return std::nullopt;
      spec.source = std::string(source);
    }
    if (!member("entries") || !token("[")) return std::nullopt;
    if (!token("]")) {
      do {
        if (!entry(&spec.entries.emplace_back())) return std::nullopt;
      } while (token(","));
      if (!token("]")) return std::nullopt;
    }
    if (!token("}")) return std::nullopt;
    skipSpace();
    if (at_ != text_.size()) return std::nullopt;
    spec.source_kind = "spec";
    return spec;
  }

 private:
  // {"key": "...", "shape": [...], "dtype": "...", "kind": "..."}
  bool entry(ModelEntry* out) {
    std::string_view key;
    std::string_view dtype;
    std::string_view kind;
    if (!token("{") || !member("key") || !plainString(&key) || key.empty() || !token(",") || !member("shape") ||
        !shape(&out->shape) || !token(",") || !member("dtype") || !plainString(&dtype) || !token(",") ||
        !member("kind") || !plainString(&kind) || !token("}")) {
      return false;
    }
    const std::optional<DType> parsed_dtype = dtypeFromName(dtype);
    const std::optional<ModelEntry::Kind> parsed_kind = kindFromName(kind);
    if (!parsed_dtype || !parsed_kind) return false;
    out->key = std::string(key);
    out->dtype = *parsed_dtype;
    out->kind = *parsed_kind;
    return true;
  }

  bool shape(std::vector<int64_t>* out) {
    if (!token("[")) return false;
    if (token("]")) return true;
    do {
      uint64_t size = 0;
      if (!count(&size) || size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      out->push_back(static_cast<int64_t>(size));
    } while (token(","));
    return token("]");
  }

  void skipSpace() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }

  // Consumes `expected` (after whitespace) if it comes next.
  bool token(std::string_view expected) {
    skipSpace();
    if (text_.compare(at_, expected.size(), expected) != 0) return false;
    at_ += expected.size();
    return true;
  }

  // `"name":` exactly: no whitespace inside the quotes (a "shape " member is unknown to JSON).
  bool member(std::string_view name) {
    skipSpace();
    const std::size_t start = at_;
    if (text_.compare(at_, 1, "\"") == 0 && text_.compare(at_ + 1, name.size(), name) == 0 &&
        text_.compare(at_ + 1 + name.size(), 1, "\"") == 0) {
      at_ += name.size() + 2;
      if (token(":")) return true;
    }
    at_ = start;
    return false;
  }

  // A string with no escapes and no control characters, as valid UTF-8 (JSON's own rules for
  // such a string); anything else is left to the general readers.
  bool plainString(std::string_view* out) {
    if (!token("\"")) return false;
    const std::size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c < 0x20 || c == '\\') return false;
      ++at_;
    }
    if (at_ == text_.size()) return false;
    *out = text_.substr(start, at_ - start);
    ++at_;
    return isValidUtf8(*out, /*allow_surrogates=*/false);
  }

  // A non-negative JSON integer: "0" or digits without a leading zero, within uint64. A
  // fraction or exponent after it fails the caller's next token.
  bool count(uint64_t* out) {
    skipSpace();
    const std::size_t start = at_;
    uint64_t value = 0;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      const auto digit = static_cast<uint64_t>(text_[at_] - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
      value = value * 10 + digit;
      ++at_;
    }
    const std::size_t digits = at_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0')) return false;
    *out = value;
    return true;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<ModelSpec> scanWrittenSpec(std::string_view text) { return WrittenSpecScanner(text).scan(); }

}  // namespace ckptlint::model
