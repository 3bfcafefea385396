// Text as roff source for man(7) pages: escaping, and the rule pages' markdown (docs/rules)
// turned into man macros, so that `man ckptlint` shows the same pages as `ckptlint rules ID`.
#pragma once

#include <string>
#include <string_view>

namespace ckptlint::reports {

/// `text` safe on a roff text line: backslashes as `\e`, hyphens as `\-` (so that options and
/// commands copied from the page are real minus signs), characters beyond ASCII as `\[uXXXX]`
/// (groff reads ASCII without preconv), and a leading `.` or `'` neutralised with `\&` so that it
/// is not read as a request. Bytes that are not UTF-8 become `?`.
std::string roffText(std::string_view text);

/// A markdown page as man(7) body text: paragraphs, `##` headings as bold lines, `- ` items as
/// bulleted paragraphs, fenced code unfilled and indented, `code` in bold, *emphasis* in italic,
/// [links](url) as their text. The `# ` title line is left out (the caller names the section).
std::string markdownToRoff(std::string_view markdown);

}  // namespace ckptlint::reports
