// Reading a rule's documentation page (docs/rules/ID.md) for reports. Page layout: a title line
// `# CKL103 wrapper-prefix`, a blank line, one lead paragraph (the rule's full description,
// used as SARIF's fullDescription), then `##` sections.
#pragma once

#include <string>
#include <string_view>

namespace ckptlint::reports {

/// The page's address on the project site (SARIF helpUri).
std::string ruleHelpUri(std::string_view rule_id);

/// The lead paragraph as one line, or empty when the page has none.
std::string docLeadParagraph(std::string_view doc);

/// The page as plain text (SARIF help.text): no heading marks, code fences or backticks.
std::string docPlainText(std::string_view doc);

}  // namespace ckptlint::reports
