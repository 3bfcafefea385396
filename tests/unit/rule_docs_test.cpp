// Every registered rule has its documentation page compiled in, in the layout reports rely on:
// a title `# ID name`, then a lead paragraph (SARIF's fullDescription).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reports/rule_doc.h"
#include "rules/registry.h"

namespace ckptlint {
namespace {

TEST(RuleDocs, EveryRuleHasAPageWithTitleAndLeadParagraph) {
  for (const Rule& rule : rules::allRules()) {
    const std::string title = "# " + std::string(rule.info.id) + " " + std::string(rule.info.name) + "\n\n";
    EXPECT_EQ(rule.info.doc.substr(0, title.size()), title) << rule.info.id;
    const std::string lead = reports::docLeadParagraph(rule.info.doc);
    EXPECT_FALSE(lead.empty()) << rule.info.id;
    EXPECT_LE(lead.size(), 1024u) << rule.info.id << ": GitHub's limit for fullDescription";
    EXPECT_LE(rule.info.summary.size(), 1024u) << rule.info.id;
  }
}

TEST(RuleDocs, CompiledPageEqualsTheFile) {
  for (const Rule& rule : rules::allRules()) {
    std::ifstream in(std::string(CKPTLINT_SOURCE_DIR) + "/docs/rules/" + std::string(rule.info.id) + ".md");
    ASSERT_TRUE(in) << rule.info.id;
    std::ostringstream page;
    page << in.rdbuf();
    EXPECT_EQ(rules::ruleDoc(rule.info.id), page.str()) << rule.info.id;
  }
}

TEST(RuleDocs, LeadParagraphAndPlainText) {
  const std::string page = "# CKL999 x\n\nFirst line\nsecond `line`.\n\n## Section\n```python\ncode()\n```\n";
  EXPECT_EQ(reports::docLeadParagraph(page), "First line second `line`.");
  EXPECT_EQ(reports::docPlainText(page), "CKL999 x\n\nFirst line\nsecond line.\n\nSection\ncode()\n");
  EXPECT_EQ(reports::docLeadParagraph("# CKL999 x\n\n## Section\ntext\n"), "");
}

}  // namespace
}  // namespace ckptlint
