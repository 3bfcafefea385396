#include "reports/rule_doc.h"

#include <vector>

#include "linter/core/text.h"

namespace ckptlint::reports {
namespace {

bool isBlank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

std::string ruleHelpUri(std::string_view rule_id) {
  return "https://github.com/ckptlint/ckptlint/blob/main/docs/rules/" + std::string(rule_id) + ".md";
}

std::string docLeadParagraph(std::string_view doc) {
  std::string paragraph;
  bool after_title = false;
  for (std::string_view line : splitLines(doc)) {
    if (!after_title) {
      after_title = line.rfind("# ", 0) == 0;
      continue;
    }
    if (isBlank(line)) {
      if (paragraph.empty()) continue;
      break;
    }
    if (line.rfind("#", 0) == 0) break;  // a section heading: the page has no lead paragraph
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += line;
  }
  return paragraph;
}

std::string docPlainText(std::string_view doc) {
  std::string text;
  for (std::string_view line : splitLines(doc)) {
    if (line.rfind("```", 0) == 0) continue;
    const std::size_t hashes = line.find_first_not_of('#');
    if (hashes != 0 && hashes != std::string_view::npos && line[hashes] == ' ') line.remove_prefix(hashes + 1);
    for (char c : line) {
      if (c != '`') text += c;
    }
    text += '\n';
  }
  return text;
}

}  // namespace ckptlint::reports
