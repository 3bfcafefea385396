// reports/roff: escaping for man pages and the rule pages' markdown as man macros.
#include <gtest/gtest.h>

#include "reports/roff.h"

namespace ckptlint {
namespace {

using reports::markdownToRoff;
using reports::roffText;

TEST(Roff, EscapesBackslashesHyphensAndLeadingControlCharacters) {
  EXPECT_EQ(roffText("--model a\\b"), "\\-\\-model a\\eb");
  EXPECT_EQ(roffText(".SH not a request"), "\\&.SH not a request");
  EXPECT_EQ(roffText("'quoted' start"), "\\&'quoted' start");
  EXPECT_EQ(roffText("mid . and ' stay"), "mid . and ' stay");
}

TEST(Roff, NonAsciiBecomesGlyphNamesOrCodePoints) {
  EXPECT_EQ(roffText("a \xE2\x80\x94 b"), "a \\(em b");             // em dash
  EXPECT_EQ(roffText("\xCE\xA3"), "\\[u03A3]");                      // Sigma
  EXPECT_EQ(roffText("bad \xFF byte"), "bad ? byte");
  EXPECT_EQ(roffText("tab\there\x01"), "tab here");
}

TEST(Roff, MarkdownParagraphsHeadingsItemsAndCode) {
  const std::string page =
      "# CKL999 some-rule\n\nLead `code-span` and *stress*.\nSecond line.\n\n## What it finds\nText [link](x.md).\n\n"
      "- item one\n  continued\n- item two\n\n```python\n.dangerous = 1\nx = a\\b\n```\nAfter.\n";
  EXPECT_EQ(markdownToRoff(page),
            ".PP\nLead \\fBcode\\-span\\fR and \\fIstress\\fR.\nSecond line.\n"
            ".PP\n\\fBWhat it finds\\fR\n.br\nText link.\n"
            ".IP \\(bu 2\nitem one\ncontinued\n.IP \\(bu 2\nitem two\n"
            ".PP\n.RS 4\n.nf\n\\&.dangerous = 1\nx = a\\eb\n.fi\n.RE\n.PP\nAfter.\n");
}

TEST(Roff, CodeSpanAcrossLinesReopensTheFont) {
  EXPECT_EQ(markdownToRoff("text `a\nb` end\n"), ".PP\ntext \\fBa\\fR\n\\fBb\\fR end\n");
}

TEST(Roff, StarsThatAreNotEmphasisStayLiteral) {
  EXPECT_EQ(markdownToRoff("a * b and 2*3\n"), ".PP\na * b and 2*3\n");
  EXPECT_EQ(markdownToRoff("`package.*` and **bold**\n"), ".PP\n\\fBpackage.*\\fR and \\fBbold\\fR\n");
}

}  // namespace
}  // namespace ckptlint
