// Making untrusted text (pickle strings, zip record names) safe to print on a terminal.
#pragma once

#include <string>
#include <string_view>

namespace ckptlint {

/// C0 and C1 control characters, invalid UTF-8 bytes, line separators and bidirectional
/// controls become \xNN / \u{NNNN} escapes, so a crafted key can neither fake report lines
/// nor hide text.
std::string printable(std::string_view text);

}  // namespace ckptlint
