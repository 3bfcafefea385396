#include "linter/model/spec_json_fast.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "linter/core/flat_index.h"
#include "linter/model/spec_json.h"
#include "linter/model/spec_json_scan.h"

namespace ckptlint::model {
namespace {

using nlohmann::json;

// Every event either moves along the one shape a valid spec has, or returns false, which
// stops nlohmann's parser at once.
class WellFormedSpecReader : public nlohmann::json_sax<json> {
 public:
  ModelSpec spec;
  bool complete() const { return state_ == State::kDone; }

  bool null() override { return false; }
  bool boolean(bool) override { return false; }
  bool binary(binary_t&) override { return false; }
  bool number_float(number_float_t, const string_t&) override { return false; }
  bool number_integer(number_integer_t value) override { return integer(value >= 0, static_cast<uint64_t>(value)); }
  bool number_unsigned(number_unsigned_t value) override { return integer(true, value); }

  bool string(string_t& value) override {
    if (state_ == State::kRootValue) {
      if (member_ == kFormat) return value == kSpecFormat && endRootValue();
      if (member_ == kSource) {
        spec.source = std::move(value);
        return endRootValue();
      }
      return false;
    }
    if (state_ != State::kEntryValue) return false;
    ModelEntry& entry = spec.entries.back();
    if (member_ == kKey) {
      if (value.empty()) return false;
      entry.key = std::move(value);
    } else if (member_ == kDtype) {
      const std::optional<DType> dtype = dtypeFromName(value);
      if (!dtype) return false;
      entry.dtype = *dtype;
    } else if (member_ == kKind) {
      const std::optional<ModelEntry::Kind> kind = kindFromName(value);
      if (!kind) return false;
      entry.kind = *kind;
    } else {
      return false;
    }
    state_ = State::kEntry;
    return true;
  }

  bool start_object(std::size_t) override {
    if (state_ == State::kStart) {
      state_ = State::kRoot;
      return true;
    }
    if (state_ != State::kEntries) return false;
    spec.entries.emplace_back();
    seen_ = 0;
    state_ = State::kEntry;
    return true;
  }

  bool key(string_t& name) override {
    const Member member = state_ == State::kRoot    ? rootMember(name)
                          : state_ == State::kEntry ? entryMember(name)
                                                    : kNone;
    if (member == kNone || (seen_ & member) != 0) return false;  // unknown or repeated
    seen_ |= member;
    member_ = member;
    state_ = state_ == State::kRoot ? State::kRootValue : State::kEntryValue;
    return true;
  }

  bool end_object() override {
    if (state_ == State::kEntry) {
      if (seen_ != (kKey | kShape | kDtype | kKind)) return false;
      seen_ = 0;
      state_ = State::kEntries;
      return true;
    }
    if (state_ != State::kRoot || (seen_ & (kFormat | kVersion | kEntries)) != (kFormat | kVersion | kEntries)) {
      return false;
    }
    state_ = State::kDone;
    return true;
  }

  bool start_array(std::size_t) override {
    if (state_ == State::kRootValue && member_ == kEntries) {
      root_seen_ = seen_;
      state_ = State::kEntries;
      return true;
    }
    if (state_ == State::kEntryValue && member_ == kShape) {
      state_ = State::kShape;
      return true;
    }
    return false;
  }

  bool end_array() override {
    if (state_ == State::kShape) {
      state_ = State::kEntry;
      return true;
    }
    if (state_ != State::kEntries) return false;
    seen_ = root_seen_;
    state_ = State::kRoot;
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  enum class State { kStart, kRoot, kRootValue, kEntries, kEntry, kEntryValue, kShape, kDone };
  // Members as bits, so that "seen twice" and "all there" are one test each.
  enum Member : unsigned {
    kNone = 0, kFormat = 1, kVersion = 2, kSource = 4, kEntries = 8,  // the document
    kKey = 16, kShape = 32, kDtype = 64, kKind = 128,                 // an entry
  };

  static Member rootMember(const std::string& name) {
    if (name == "format") return kFormat;
    if (name == "version") return kVersion;
    if (name == "source") return kSource;
    if (name == "entries") return kEntries;
    return kNone;
  }
  static Member entryMember(const std::string& name) {
    if (name == "key") return kKey;
    if (name == "shape") return kShape;
    if (name == "dtype") return kDtype;
    if (name == "kind") return kKind;
    return kNone;
  }

  bool integer(bool non_negative, uint64_t value) {
    if (state_ == State::kShape) {
      if (!non_negative || value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      spec.entries.back().shape.push_back(static_cast<int64_t>(value));
      return true;
    }
    if (state_ == State::kRootValue && member_ == kVersion) {
      return non_negative && value == static_cast<uint64_t>(kSpecVersion) && endRootValue();
    }
    return false;
  }

  bool endRootValue() {
    state_ = State::kRoot;
    return true;
  }

  State state_ = State::kStart;
  Member member_ = kNone;
  unsigned seen_ = 0;       // members met in the object being read
  unsigned root_seen_ = 0;  // the document's, kept while its entries are read
};

// One SAX pass over any well-formed layout.
std::optional<ModelSpec> readWithSax(std::string_view text) {
  WellFormedSpecReader reader;
  if (!json::sax_parse(text.begin(), text.end(), &reader) || !reader.complete()) return std::nullopt;
  reader.spec.source_kind = "spec";
  return std::move(reader.spec);
}

// The flat index the pickle reader keeps for large dicts: one array for 100k keys, where a
// node-based set costs an allocation and a cache miss per key.
bool keysAreUnique(const ModelSpec& spec) {
  FlatIndex index;
  index.reserve(spec.entries.size());  // no rehashing for 100k keys
  const std::hash<std::string_view> hash;
  for (std::size_t i = 0; i < spec.entries.size(); ++i) {
    const std::string_view key = spec.entries[i].key;
    auto same_key_at = [&](std::size_t at) { return spec.entries[at].key == key; };
    if (index.findOrAdd(hash(key), i, same_key_at)) return false;
  }
  return true;
}

}  // namespace

std::optional<ModelSpec> readWellFormedSpec(std::string_view text) {
  // The layout `ckptlint spec` writes needs no JSON library; any other goes through SAX.
  std::optional<ModelSpec> spec = scanWrittenSpec(text);
  if (!spec) spec = readWithSax(text);
  // Keys are unique in a valid spec; checked once the entries no longer move.
  if (!spec || !keysAreUnique(*spec)) return std::nullopt;
  return spec;
}

}  // namespace ckptlint::model
