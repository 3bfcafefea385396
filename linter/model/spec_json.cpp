#include "linter/model/spec_json.h"

#include <cstdint>
#include <limits>
#include <set>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "linter/model/spec_json_fast.h"

namespace ckptlint::model {
namespace {

using nlohmann::json;

// Thrown inside this file only, caught by parseSpecJson: validation is deep and linear, and an
// early return at every step would bury what is checked.
struct SpecError {
  std::string message;
};

[[noreturn]] void fail(std::string message) { throw SpecError{std::move(message)}; }

std::string inQuotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

// nlohmann keeps the last of two members with the same name; in a hand-merged spec that would
// silently pick one of two dtypes, so duplicates are refused. Found by a SAX pass of its own:
// nlohmann's callback parser rescans the parent array at every object's end, which is
// quadratic in the number of entries (4 s for 100k).
class DuplicateMemberFinder : public nlohmann::json_sax<json> {
 public:
  std::string duplicate;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    open_objects_.emplace_back();
    return true;
  }
  bool key(string_t& name) override {
    if (duplicate.empty() && !open_objects_.back().insert(name).second) duplicate = name;
    return true;
  }
  bool end_object() override {
    open_objects_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  std::vector<std::set<std::string>> open_objects_;
};

json parseRefusingDuplicateMembers(std::string_view text) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::exception& error) {
    // "[json.exception.parse_error.101] parse error at line 3, ...": keep what follows the tag.
    std::string what = error.what();
    const std::size_t tag_end = what.find("] ");
    fail("not valid JSON: " + (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
  DuplicateMemberFinder finder;
  json::sax_parse(text.begin(), text.end(), &finder);
  if (!finder.duplicate.empty()) fail("member " + inQuotes(finder.duplicate) + " appears twice in one object");
  return document;
}

void refuseUnknownMembers(const json& object, std::initializer_list<std::string_view> known,
                          const std::string& where) {
  for (const auto& member : object.items()) {
    bool is_known = false;
    for (std::string_view name : known) is_known = is_known || member.key() == name;
    if (!is_known) fail(where + "unknown field " + inQuotes(member.key()));
  }
}

const json& requireMember(const json& object, const char* field, const std::string& where) {
  const auto found = object.find(field);
  if (found == object.end()) fail(where + "missing field " + inQuotes(field));
  return *found;
}

std::string requireString(const json& object, const char* field, const std::string& where) {
  const json& value = requireMember(object, field, where);
  if (!value.is_string()) fail(where + "field " + inQuotes(field) + " must be a string, not " + value.type_name());
  return value.get<std::string>();
}

std::vector<int64_t> readShape(const json& entry, const std::string& where) {
  const json& shape = requireMember(entry, "shape", where);
  if (!shape.is_array()) fail(where + "field \"shape\" must be an array of integers, not " + shape.type_name());
  std::vector<int64_t> dims;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const json& dim = shape[i];
    const std::string at = where + "shape[" + std::to_string(i) + "]: ";
    if (!dim.is_number_integer()) fail(at + "must be an integer, not " + (dim.is_number() ? dim.dump() : dim.type_name()));
    if (dim.is_number_unsigned()) {
      const auto value = dim.get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) fail(at + "too large: " + dim.dump());
      dims.push_back(static_cast<int64_t>(value));
    } else {
      const auto value = dim.get<int64_t>();
      if (value < 0) fail(at + "negative dimension " + std::to_string(value));
      dims.push_back(value);
    }
  }
  return dims;
}

ModelEntry readEntry(const json& entry, std::size_t index) {
  std::string where = "entries[" + std::to_string(index) + "]: ";
  if (!entry.is_object()) fail(where + "must be an object, not " + std::string(entry.type_name()));
  ModelEntry result;
  result.key = requireString(entry, "key", where);
  if (result.key.empty()) fail(where + "field \"key\" is empty");
  where = "entries[" + std::to_string(index) + "] (" + result.key + "): ";
  refuseUnknownMembers(entry, {"key", "shape", "dtype", "kind"}, where);
  result.shape = readShape(entry, where);
  const std::string dtype = requireString(entry, "dtype", where);
  const std::optional<DType> parsed_dtype = dtypeFromName(dtype);
  if (!parsed_dtype) fail(where + "unknown dtype " + inQuotes(dtype) + " (use PyTorch's name, e.g. \"float32\")");
  result.dtype = *parsed_dtype;
  const std::string kind = requireString(entry, "kind", where);
  const std::optional<ModelEntry::Kind> parsed_kind = kindFromName(kind);
  if (!parsed_kind) fail(where + "unknown kind " + inQuotes(kind) + " (use \"parameter\" or \"buffer\")");
  result.kind = *parsed_kind;
  return result;
}

ModelSpec readDocument(std::string_view text) {
  const json document = parseRefusingDuplicateMembers(text);
  if (!document.is_object()) fail("a spec must be a JSON object, not " + std::string(document.type_name()));
  const auto format = document.find("format");
  if (format == document.end() || !format->is_string() || format->get<std::string>() != kSpecFormat) {
    fail("not a ckptlint spec: \"format\" must be \"" + std::string(kSpecFormat) + "\"");
  }
  const json& version = requireMember(document, "version", "");
  if (!version.is_number_integer() || version != kSpecVersion) {
    // A structured value is named by its type: dump() of a deeply nested one recurses (and a
    // huge one would make a huge message); a long string is cut.
    std::string shown = version.is_primitive() ? version.dump() : "of type " + std::string(version.type_name());
    if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
    fail("unsupported spec version " + shown + " (this ckptlint reads version " + std::to_string(kSpecVersion) + ")");
  }
  refuseUnknownMembers(document, {"format", "version", "source", "entries"}, "");
  ModelSpec spec;
  spec.source_kind = "spec";
  if (document.contains("source")) spec.source = requireString(document, "source", "");
  const json& entries = requireMember(document, "entries", "");
  if (!entries.is_array()) fail("field \"entries\" must be an array, not " + std::string(entries.type_name()));
  std::unordered_map<std::string, std::size_t> first_index_of_key;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    ModelEntry entry = readEntry(entries[i], i);
    const auto [previous, inserted] = first_index_of_key.emplace(entry.key, i);
    if (!inserted) {
      fail("entries[" + std::to_string(i) + "] (" + entry.key + "): duplicate key, also entries[" +
           std::to_string(previous->second) + "]");
    }
    spec.entries.push_back(std::move(entry));
  }
  return spec;
}

// A JSON string literal; throws json::type_error when `text` is not valid UTF-8.
std::string jsonString(const std::string& text) { return json(text).dump(); }

std::string entryLine(const ModelEntry& entry) {
  std::string line = "{\"key\": " + jsonString(entry.key) + ", \"shape\": [";
  for (std::size_t i = 0; i < entry.shape.size(); ++i) {
    line += (i > 0 ? ", " : "") + std::to_string(entry.shape[i]);
  }
  line += "], \"dtype\": \"" + std::string(name(entry.dtype)) + "\", \"kind\": \"" +
          std::string(kindName(entry.kind)) + "\"}";
  return line;
}

}  // namespace

Result<ModelSpec> parseSpecJson(std::string_view text) {
  // A valid spec takes one SAX pass; the validating reader below runs only to explain errors.
  if (std::optional<ModelSpec> spec = readWellFormedSpec(text)) return std::move(*spec);
  try {
    return readDocument(text);
  } catch (const SpecError& error) {
    return makeError(error.message);
  }
}

Result<std::string> writeSpecJson(const ModelSpec& spec) {
  std::string out = "{\n  \"format\": \"" + std::string(kSpecFormat) + "\",\n  \"version\": " +
                    std::to_string(kSpecVersion) + ",\n";
  try {
    // The source is a file name for people: one that is not UTF-8 is written with U+FFFD.
    if (!spec.source.empty()) {
      out += "  \"source\": " + json(spec.source).dump(-1, ' ', false, json::error_handler_t::replace) + ",\n";
    }
    out += "  \"entries\": [";
    for (std::size_t i = 0; i < spec.entries.size(); ++i) {
      out += (i > 0 ? ",\n    " : "\n    ") + entryLine(spec.entries[i]);
    }
  } catch (const json::exception&) {
    return makeError("a key or the source name is not valid UTF-8; a JSON spec cannot hold it");
  }
  out += spec.entries.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace ckptlint::model
