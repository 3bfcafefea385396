// JSON report of `ckptlint check`: a fixed contract for tools ({"version": 1, "files": [...],
// "summary": {...}}); fields may be added, never renamed. One finding per line, streamed.
// With --baseline every finding has "baseline": "new", "unchanged" or "updated" (same
// fingerprint, another message); the known ones stay listed but are left out of the summary's
// counts (summary.hidden_by_baseline counts them), and "stale_baseline" lists the entries of
// checked files that no longer occur.
#include "reports/baseline.h"
#include "reports/check_report.h"
#include "reports/check_summary.h"
#include "reports/finding_json.h"
#include "reports/fix_report.h"
#include "reports/json_writer.h"

namespace ckptlint::reports {
namespace {

void writeFinding(JsonWriter& json, const CheckReport& report, const FileResult& file, std::size_t index) {
  const Finding& finding = file.findings[index];
  json.beginObject();
  json.key("rule").value(finding.rule_id);
  json.key("name").value(ruleName(report, finding.rule_id));
  json.key("level").value(levelName(finding.level));
  json.key("message").value(finding.message);
  json.key("state_dict");
  writeStateDictPath(json, finding.state_dict);
  json.key("key");
  finding.key ? json.value(*finding.key) : json.null();
  json.key("keys");
  writeStringList(json, finding.keys);
  if (finding.bytes) {
    json.key("bytes").beginObject();
    json.key("offset").value(finding.bytes->offset);
    json.key("length").value(finding.bytes->size);
    json.endObject();
  }
  json.key("fixes");
  writeFixes(json, finding.fixes);
  if (index < file.baseline.size()) json.key("baseline").value(baselineStateName(file.baseline[index]));
  json.endObject();
}

void writeFile(JsonWriter& json, const CheckReport& report, const FileResult& file) {
  json.beginObject();
  json.key("file").value(file.file);
  if (!file.sha256.empty()) json.key("sha256").value(file.sha256);
  json.key("findings").beginArray();
  for (std::size_t index = 0; index < file.findings.size(); ++index) {
    writeFinding(json.nextOnNewLine(8), report, file, index);
  }
  json.endArray(6);
  if (file.fixes) {
    json.nextOnNewLine(6).key("fix");
    writeFixJson(json, *file.fixes);
  }
  json.endObject();
}

void writeSummary(JsonWriter& json, const CheckReport& report) {
  const CheckSummary summary = summarize(report);
  json.beginObject();
  json.key("files").value(uint64_t{summary.files});
  json.key("files_with_findings").value(uint64_t{summary.files_with_findings});
  json.key("findings").value(uint64_t{summary.findings});
  json.key("errors").value(uint64_t{summary.errors});
  json.key("warnings").value(uint64_t{summary.warnings});
  json.key("notes").value(uint64_t{summary.notes});
  json.key("fail_on").value(report.fail_on_never ? std::string_view("never") : levelName(report.fail_on));
  json.key("at_or_above_fail_on").value(uint64_t{summary.at_or_above_fail_on});
  json.key("fixable").value(uint64_t{summary.fixable});
  json.key("fixable_unsafe").value(uint64_t{summary.fixable_unsafe});
  if (report.with_baseline) {
    json.key("hidden_by_baseline").value(uint64_t{summary.hidden_by_baseline});
    json.key("stale_baseline").value(uint64_t{summary.stale_baseline});
  }
  json.key("exit_code").value(report.exit_code);
  json.key("execution_successful").value(report.execution_successful);
  json.endObject();
}

}  // namespace

void writeCheckJson(const CheckReport& report, std::ostream& out) {
  JsonWriter json(out);
  json.beginObject();
  json.nextOnNewLine(2).key("version").value(1);
  json.nextOnNewLine(2).key("tool").beginObject();
  json.key("name").value("ckptlint");
  json.key("version").value(report.tool_version);
  json.endObject();
  json.nextOnNewLine(2).key("files").beginArray();
  for (const FileResult& file : report.files) writeFile(json.nextOnNewLine(4), report, file);
  json.endArray(2);
  if (report.with_baseline) {  // --baseline: its entries of checked files that no longer occur
    json.nextOnNewLine(2).key("stale_baseline").beginArray();
    for (const StaleBaselineEntry& entry : report.stale_baseline) writeBaselineEntry(json.nextOnNewLine(4), entry);
    json.endArray(2);
  }
  json.nextOnNewLine(2).key("summary");
  writeSummary(json, report);
  json.endObject(0);
  out << '\n';
}

}  // namespace ckptlint::reports
