// What users configure about keys (config file or command line): rename rules applied to the
// checked state dict's keys (mmengine's `revise_keys`) and globs of keys that are benign when
// missing or unexpected (Hugging Face's `_keys_to_ignore_on_load_missing`).
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"

namespace ckptlint {

/// "REGEX -> REPLACEMENT": every match of the ECMAScript regex in a key is replaced, as
/// Python's re.sub does; the replacement may name groups as $1 or \1.
struct KeyRenameRule {
  std::string text;         // as the user wrote it, for messages
  std::string replacement;  // in std::regex_replace's syntax ($1)
  std::regex pattern;
};

/// Parses "REGEX -> REPLACEMENT" (the arrow with blanks around it; the replacement may be empty).
Result<KeyRenameRule> parseKeyRenameRule(std::string_view text);

/// The key after every rule, in order (mmengine's); stops early once it is over 4 KiB long.
std::string renameKey(const std::vector<KeyRenameRule>& rules, const std::string& key);

/// Shell-style glob over a whole key: `*` any run of characters (dots included), `?` one.
bool globMatches(std::string_view pattern, std::string_view text);

/// Whether any of the globs matches the key.
bool anyGlobMatches(const std::vector<std::string>& patterns, std::string_view key);

}  // namespace ckptlint
