#include "reports/rule_list.h"

#include <algorithm>
#include <string>

#include "reports/json_writer.h"
#include "reports/rule_doc.h"

namespace ckptlint::reports {
namespace {

void writeRuleMembers(JsonWriter& json, const RuleInfo& rule) {
  json.key("id").value(rule.id);
  json.key("name").value(rule.name);
  json.key("level").value(levelName(rule.default_level));
  json.key("summary").value(rule.summary);
  json.key("needs_model").value(rule.needs_model);
  json.key("needs_values").value(rule.needs_values);
  json.key("help_uri").value(ruleHelpUri(rule.id));
}

std::string padded(std::string_view text, std::size_t width) {
  std::string out(text);
  out.resize(std::max(width, text.size()), ' ');
  return out;
}

}  // namespace

void writeRuleListText(const std::vector<Rule>& rules, std::ostream& out) {
  std::size_t id_width = 0;
  std::size_t name_width = 0;
  for (const Rule& rule : rules) {
    id_width = std::max(id_width, rule.info.id.size());
    name_width = std::max(name_width, rule.info.name.size());
  }
  const std::size_t level_width = levelName(Level::kWarning).size();
  for (const Rule& rule : rules) {
    out << padded(rule.info.id, id_width) << "  " << padded(rule.info.name, name_width) << "  "
        << padded(levelName(rule.info.default_level), level_width) << "  " << rule.info.summary << '\n';
  }
}

void writeRuleListJson(const std::vector<Rule>& rules, std::ostream& out) {
  JsonWriter json(out);
  json.beginArray();
  for (const Rule& rule : rules) {
    json.nextOnNewLine(2).beginObject();
    writeRuleMembers(json, rule.info);
    json.endObject();
  }
  json.endArray(0);
  out << '\n';
}

void writeRuleDocText(const RuleInfo& rule, std::ostream& out) {
  if (rule.doc.empty()) {
    out << "# " << rule.id << ' ' << rule.name << "\n\n" << rule.summary << '\n';
    return;
  }
  out << rule.doc;
  if (rule.doc.back() != '\n') out << '\n';
}

void writeRuleDocJson(const RuleInfo& rule, std::ostream& out) {
  JsonWriter json(out);
  json.beginObject();
  writeRuleMembers(json, rule);
  json.key("doc").value(rule.doc);
  json.endObject();
  out << '\n';
}

}  // namespace ckptlint::reports
