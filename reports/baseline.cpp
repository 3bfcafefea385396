#include "reports/baseline.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>
#include <utility>

#include "reports/finding_json.h"
#include "reports/fingerprint.h"
#include "reports/json_writer.h"
#include "reports/object_path_json.h"

namespace ckptlint::reports {
namespace {

constexpr std::string_view kUnreadable = "CKL001";

bool isUnreadable(const Finding& finding) { return finding.rule_id == kUnreadable; }

bool readable(const FileResult& file) { return std::none_of(file.findings.begin(), file.findings.end(), isUnreadable); }

Result<ObjectPath> pathFromJson(const nlohmann::json& array) {
  ObjectPath path;
  for (const nlohmann::json& element : array) {
    if (element.is_string()) {
      path.emplace_back(element.get<std::string>());
    } else if (element.is_boolean()) {
      path.emplace_back(element.get<bool>());
    } else if (element.is_number_integer()) {
      path.emplace_back(element.get<int64_t>());
    } else {
      return makeError("a state_dict element is neither a string, an integer nor a boolean");
    }
  }
  return path;
}

Result<BaselineEntry> entryFromJson(const nlohmann::json& item, std::size_t index) {
  const std::string where = "entry " + std::to_string(index) + ": ";
  if (!item.is_object()) return makeError(where + "not an object");
  BaselineEntry entry;
  for (auto [name, target] : {std::pair{"file", &entry.file}, std::pair{"fingerprint", &entry.fingerprint}}) {
    const auto found = item.find(name);
    if (found == item.end() || !found->is_string() || found->get<std::string>().empty()) {
      return makeError(where + "\"" + name + "\" missing or not a non-empty string");
    }
    *target = found->get<std::string>();
  }
  for (auto [name, target] : {std::pair{"rule", &entry.rule_id}, std::pair{"message", &entry.message}}) {
    const auto found = item.find(name);
    if (found == item.end()) continue;
    if (!found->is_string()) return makeError(where + "\"" + name + "\" is not a string");
    *target = found->get<std::string>();
  }
  if (const auto key = item.find("key"); key != item.end() && !key->is_null()) {
    if (!key->is_string()) return makeError(where + "\"key\" is not a string");
    entry.key = key->get<std::string>();
  }
  if (const auto state_dict = item.find("state_dict"); state_dict != item.end() && !state_dict->is_null()) {
    if (!state_dict->is_array()) return makeError(where + "\"state_dict\" is not an array");
    Result<ObjectPath> path = pathFromJson(*state_dict);
    if (!path) return makeError(where + path.error().message);
    entry.state_dict = std::move(*path);
  }
  return entry;
}

}  // namespace

void writeBaselineEntry(JsonWriter& json, const BaselineEntry& entry) {
  json.beginObject();
  json.key("file").value(entry.file);
  json.key("fingerprint").value(entry.fingerprint);
  json.key("rule").value(entry.rule_id);
  json.key("state_dict");
  writeStateDictPath(json, entry.state_dict);
  json.key("key");
  entry.key ? json.value(*entry.key) : json.null();
  json.key("message").value(entry.message);
  json.endObject();
}

std::vector<BaselineEntry> baselineEntries(const std::vector<FileResult>& files, const BaselineFileKey& key_of) {
  std::vector<BaselineEntry> entries;
  for (const FileResult& file : files) {
    const std::string key = key_of(file.file);
    const std::vector<std::string> fingerprints = findingFingerprints(file.findings);
    for (std::size_t i = 0; i < file.findings.size(); ++i) {
      const Finding& finding = file.findings[i];
      if (isUnreadable(finding)) continue;
      entries.push_back({key, fingerprints[i], finding.rule_id, finding.state_dict, finding.key, finding.message});
    }
  }
  // Sorted, so that re-creating a baseline changes only the lines of changed findings.
  std::sort(entries.begin(), entries.end(), [](const BaselineEntry& a, const BaselineEntry& b) {
    return std::tie(a.file, a.rule_id, a.fingerprint) < std::tie(b.file, b.rule_id, b.fingerprint);
  });
  return entries;
}

std::string baselineJson(const std::vector<BaselineEntry>& entries, std::string_view tool_version) {
  std::ostringstream out;
  JsonWriter json(out);
  json.beginObject();
  json.nextOnNewLine(2).key("format").value(kBaselineFormat);
  json.nextOnNewLine(2).key("version").value(kBaselineVersion);
  json.nextOnNewLine(2).key("tool").beginObject();
  json.key("name").value("ckptlint");
  json.key("version").value(tool_version);
  json.endObject();
  json.nextOnNewLine(2).key("entries").beginArray();
  for (const BaselineEntry& entry : entries) writeBaselineEntry(json.nextOnNewLine(4), entry);
  json.endArray(2);
  json.endObject(0);
  out << '\n';
  return out.str();
}

Result<std::vector<BaselineEntry>> parseBaselineJson(std::string_view text) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& error) {
    return makeError("not JSON (byte " + std::to_string(error.byte) + ")");
  }
  const std::string expected = "{\"format\": \"" + std::string(kBaselineFormat) + "\", \"version\": " +
                               std::to_string(kBaselineVersion) + "}";
  if (!document.is_object() || !document.contains("format") || document["format"] != std::string(kBaselineFormat)) {
    return makeError("not a ckptlint baseline (expected " + expected + "; make one with 'ckptlint baseline create')");
  }
  if (!document.contains("version") || document["version"] != kBaselineVersion) {
    return makeError("unsupported baseline version " + (document.contains("version") ? document["version"].dump() : "(none)") +
                     " (this ckptlint reads version " + std::to_string(kBaselineVersion) + ")");
  }
  const auto items = document.find("entries");
  if (items == document.end() || !items->is_array()) return makeError("\"entries\" missing or not an array");
  std::vector<BaselineEntry> entries;
  entries.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    Result<BaselineEntry> entry = entryFromJson((*items)[i], i);
    if (!entry) return entry.error();
    entries.push_back(std::move(*entry));
  }
  return entries;
}

void applyBaseline(const std::vector<BaselineEntry>& entries, const BaselineFileKey& key_of,
                   const std::function<bool(std::string_view rule_id)>& rule_ran, CheckReport& report) {
  report.with_baseline = true;
  // (file key, fingerprint) -> entry; the first of duplicates wins.
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < entries.size(); ++i) index.emplace(std::pair{entries[i].file, entries[i].fingerprint}, i);
  std::vector<bool> matched(entries.size(), false);
  std::map<std::string, const FileResult*> read_files;  // file key -> the run's result, for stale entries

  for (FileResult& file : report.files) {
    const std::string key = key_of(file.file);
    if (readable(file)) read_files.emplace(key, &file);
    const std::vector<std::string> fingerprints = findingFingerprints(file.findings);
    file.baseline.assign(file.findings.size(), BaselineState::kNew);
    for (std::size_t i = 0; i < file.findings.size(); ++i) {
      if (isUnreadable(file.findings[i])) continue;  // never hidden
      const auto found = index.find({key, fingerprints[i]});
      if (found == index.end()) continue;
      matched[found->second] = true;
      const bool same_message = entries[found->second].message == file.findings[i].message;
      file.baseline[i] = same_message ? BaselineState::kUnchanged : BaselineState::kUpdated;
    }
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const BaselineEntry& entry = entries[i];
    const auto file = read_files.find(entry.file);
    if (matched[i] || file == read_files.end() || !rule_ran(entry.rule_id)) continue;
    report.stale_baseline.push_back(
        {file->second->file, entry.fingerprint, entry.rule_id, entry.state_dict, entry.key, entry.message});
  }
}

}  // namespace ckptlint::reports
