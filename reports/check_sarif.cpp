// SARIF 2.1.0 report of `ckptlint check` (validated against the OASIS schema in tests), shaped
// for GitHub code scanning: every result has a physical location with startLine 1 (GitHub shows
// nothing without a line; a checkpoint has none) and its own primaryLocationLineHash (GitHub's
// fallback hashes source lines, which a binary file does not have). The state-dict key is the
// logical location; fixes are carried in `properties` because a key rename is not a byte patch.
#include <algorithm>
#include <cctype>
#include <string>

#include "reports/check_report.h"
#include "reports/fingerprint.h"
#include "reports/finding_json.h"
#include "reports/json_writer.h"
#include "reports/rule_doc.h"

namespace ckptlint::reports {
namespace {

constexpr std::string_view kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kInformationUri = "https://github.com/ckptlint/ckptlint";

// RFC 3986: everything but unreserved characters and '/' is percent-encoded.
std::string percentEncode(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

/// A relative path stays relative (GitHub resolves it against the repository root); an
/// absolute one becomes a file: URI.
std::string artifactUri(std::string_view path) {
  // Repeated slashes mean one to the file system but not in a URI ("./" + "/x" is not "/x").
  std::string normal;
  for (char c : path) {
    if (c != '/' || normal.empty() || normal.back() != '/') normal += c;
  }
  std::string_view view = normal;
  if (!view.empty() && view.front() == '/') return "file://" + percentEncode(view);
  while (view.rfind("./", 0) == 0) view.remove_prefix(2);
  return percentEncode(view);
}

/// "model/conv1.weight": the state dict's path and the key, as people read them.
std::string qualifiedName(const Finding& finding) {
  std::string name = finding.state_dict && !finding.state_dict->empty() ? displayPath(*finding.state_dict) : "";
  if (finding.key) name += (name.empty() ? "" : "/") + *finding.key;
  return name;
}

void writeMessage(JsonWriter& json, std::string_view text) {
  json.beginObject();
  json.key("text").value(text);
  json.endObject();
}

void writeRule(JsonWriter& json, const RuleInfo& rule) {
  json.beginObject();
  json.key("id").value(rule.id);
  json.key("name").value(rule.name);
  json.key("shortDescription");
  writeMessage(json, rule.summary);
  std::string full = docLeadParagraph(rule.doc);
  json.key("fullDescription");
  writeMessage(json, full.empty() ? std::string(rule.summary) : full);
  json.key("help").beginObject();
  json.key("text").value(rule.doc.empty() ? std::string(rule.summary) : docPlainText(rule.doc));
  if (!rule.doc.empty()) json.key("markdown").value(rule.doc);
  json.endObject();
  json.key("helpUri").value(ruleHelpUri(rule.id));
  json.key("defaultConfiguration").beginObject();
  json.key("level").value(levelName(rule.default_level));
  json.endObject();
  json.key("properties").beginObject();
  json.key("needsModel").value(rule.needs_model);
  json.key("needsValues").value(rule.needs_values);
  json.endObject();
  json.endObject();
}

void writeTool(JsonWriter& json, const CheckReport& report) {
  json.beginObject();
  json.key("driver").beginObject();
  json.key("name").value("ckptlint");
  json.key("version").value(report.tool_version);
  json.key("semanticVersion").value(report.tool_version);
  json.key("informationUri").value(kInformationUri);
  json.nextOnNewLine(6).key("rules").beginArray();
  if (report.rules != nullptr) {
    for (const Rule& rule : *report.rules) writeRule(json.nextOnNewLine(8), rule.info);
  }
  json.endArray(6);
  json.endObject(4);
  json.endObject();
}

std::string shellQuoted(const std::string& argument) {
  if (!argument.empty() && argument.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789-_./=:,+@%") == std::string::npos) {
    return argument;
  }
  std::string quoted = "'";
  for (char c : argument) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A baseline entry that no longer occurs is a note about the configuration (the baseline file),
// not a result: GitHub turns every result into an alert, and an "absent" result would raise one
// for a problem that was fixed.
void writeStaleEntry(JsonWriter& json, const CheckReport& report, const StaleBaselineEntry& entry) {
  json.beginObject();
  json.key("level").value("note");
  json.key("message");
  writeMessage(json, "stale baseline entry " + entry.rule_id + " (" + entry.fingerprint + ") no longer occurs in " +
                         entry.file + ": " + entry.message);
  json.key("locations").beginArray().beginObject();
  json.key("physicalLocation").beginObject();
  json.key("artifactLocation").beginObject().key("uri").value(artifactUri(entry.file)).endObject();
  json.endObject();
  json.endObject().endArray();
  json.key("associatedRule").beginObject();
  json.key("id").value(entry.rule_id);
  if (const std::optional<std::size_t> index = ruleIndex(report, entry.rule_id)) json.key("index").value(uint64_t{*index});
  json.endObject();
  json.endObject();
}

void writeInvocation(JsonWriter& json, const CheckReport& report) {
  json.beginObject();
  if (!report.command_line.empty()) {
    std::string command_line;
    for (const std::string& argument : report.command_line) {
      command_line += (command_line.empty() ? "" : " ") + shellQuoted(argument);
    }
    json.key("commandLine").value(command_line);
    json.key("arguments");
    writeStringList(json, std::vector<std::string>(report.command_line.begin() + 1, report.command_line.end()));
  }
  json.key("exitCode").value(report.exit_code);
  json.key("executionSuccessful").value(report.execution_successful);
  if (!report.stale_baseline.empty()) {
    json.key("toolConfigurationNotifications").beginArray();
    for (const StaleBaselineEntry& entry : report.stale_baseline) writeStaleEntry(json, report, entry);
    json.endArray();
  }
  json.endObject();
}

void writeArtifact(JsonWriter& json, const FileResult& file) {
  json.beginObject();
  json.key("location").beginObject();
  json.key("uri").value(artifactUri(file.file));
  json.endObject();
  json.key("roles").beginArray().value("analysisTarget").endArray();
  if (!file.sha256.empty()) {
    json.key("hashes").beginObject();
    json.key("sha-256").value(file.sha256);
    json.endObject();
  }
  json.endObject();
}

void writeArtifactLocation(JsonWriter& json, const FileResult& file, std::size_t artifact_index) {
  json.beginObject();
  json.key("uri").value(artifactUri(file.file));
  json.key("index").value(uint64_t{artifact_index});
  json.endObject();
}

void writeLocation(JsonWriter& json, const FileResult& file, std::size_t artifact_index, const Finding& finding) {
  json.beginObject();
  json.key("physicalLocation").beginObject();
  json.key("artifactLocation");
  writeArtifactLocation(json, file, artifact_index);
  json.key("region").beginObject().key("startLine").value(1).endObject();
  json.endObject();
  const std::string name = qualifiedName(finding);
  if (!name.empty()) {
    json.key("logicalLocations").beginArray().beginObject();
    if (finding.key) json.key("name").value(*finding.key);
    json.key("fullyQualifiedName").value(name);
    json.key("kind").value(finding.key ? "member" : "object");
    json.endObject().endArray();
  }
  json.endObject();
}

// A byte range cannot share the primary region with startLine 1 (a region's text and binary
// properties must describe the same bytes), so it goes into a related location.
void writeByteRange(JsonWriter& json, const FileResult& file, std::size_t artifact_index, const ByteRange& bytes) {
  json.beginArray().beginObject();
  json.key("id").value(0);
  json.key("physicalLocation").beginObject();
  json.key("artifactLocation");
  writeArtifactLocation(json, file, artifact_index);
  json.key("region").beginObject();
  json.key("byteOffset").value(bytes.offset);
  json.key("byteLength").value(bytes.size);
  json.endObject();
  json.endObject();
  json.key("message");
  writeMessage(json, "the bytes the finding is about");
  json.endObject().endArray();
}

// With --baseline every result says how it compares (baselineState) and carries suppressions --
// [{"kind": "external"}] for a known problem, [] for a new one -- as all results of a run must
// have suppressions or none (SARIF 3.27.23).
void writeBaselineState(JsonWriter& json, const FileResult& file, std::size_t finding_index) {
  const BaselineState state = hiddenByBaseline(file, finding_index) ? file.baseline[finding_index] : BaselineState::kNew;
  json.key("suppressions").beginArray();
  if (state != BaselineState::kNew) json.beginObject().key("kind").value("external").endObject();
  json.endArray();
  json.key("baselineState").value(baselineStateName(state));
}

void writeResult(JsonWriter& json, const CheckReport& report, const FileResult& file, std::size_t artifact_index,
                 std::size_t finding_index, const std::string& fingerprint) {
  const Finding& finding = file.findings[finding_index];
  json.beginObject();
  json.key("ruleId").value(finding.rule_id);
  if (const std::optional<std::size_t> index = ruleIndex(report, finding.rule_id)) {
    json.key("ruleIndex").value(uint64_t{*index});
  }
  json.key("level").value(levelName(finding.level));
  json.key("message");
  writeMessage(json, finding.message);
  json.key("locations").beginArray();
  writeLocation(json, file, artifact_index, finding);
  json.endArray();
  if (finding.bytes) {
    json.key("relatedLocations");
    writeByteRange(json, file, artifact_index, *finding.bytes);
  }
  if (report.with_baseline) writeBaselineState(json, file, finding_index);
  json.key("partialFingerprints").beginObject();
  json.key("primaryLocationLineHash").value(fingerprint);
  json.key("ckptlint/findingHash/v1").value(fingerprint);
  json.endObject();
  json.key("properties").beginObject();
  json.key("stateDict");
  writeStateDictPath(json, finding.state_dict);
  json.key("keys");
  writeStringList(json, finding.keys);
  json.key("fixes");
  writeFixes(json, finding.fixes);
  json.endObject();
  json.endObject();
}

void writeResults(JsonWriter& json, const CheckReport& report) {
  json.beginArray();
  for (std::size_t index = 0; index < report.files.size(); ++index) {
    const FileResult& file = report.files[index];
    const std::vector<std::string> fingerprints = findingFingerprints(file.findings);
    for (std::size_t finding = 0; finding < file.findings.size(); ++finding) {
      writeResult(json.nextOnNewLine(8), report, file, index, finding, fingerprints[finding]);
    }
  }
  json.endArray(6);
}

}  // namespace

void writeCheckSarif(const CheckReport& report, std::ostream& out) {
  JsonWriter json(out);
  json.beginObject();
  json.nextOnNewLine(2).key("$schema").value(kSchemaUri);
  json.nextOnNewLine(2).key("version").value("2.1.0");
  json.nextOnNewLine(2).key("runs").beginArray();
  json.nextOnNewLine(4).beginObject();
  json.nextOnNewLine(6).key("tool");
  writeTool(json, report);
  json.nextOnNewLine(6).key("invocations").beginArray();
  writeInvocation(json, report);
  json.endArray();
  json.nextOnNewLine(6).key("artifacts").beginArray();
  for (const FileResult& file : report.files) writeArtifact(json.nextOnNewLine(8), file);
  json.endArray(6);
  json.nextOnNewLine(6).key("results");
  writeResults(json, report);
  json.endObject(4);
  json.endArray(2);
  json.endObject(0);
  out << '\n';
}

}  // namespace ckptlint::reports
