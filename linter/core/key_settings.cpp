#include "linter/core/key_settings.h"

#include <algorithm>
#include <cctype>

namespace ckptlint {

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back())) text.remove_suffix(1);
  return text;
}

// Python's \1 (mmengine's rules are written for re.sub) becomes ECMAScript's $1; a literal
// '$' stays one ('$$').
std::string ecmaReplacement(std::string_view python_or_ecma) {
  std::string out;
  for (std::size_t i = 0; i < python_or_ecma.size(); ++i) {
    const char c = python_or_ecma[i];
    if (c == '\\' && i + 1 < python_or_ecma.size() && std::isdigit(static_cast<unsigned char>(python_or_ecma[i + 1]))) {
      out += '$';
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Result<KeyRenameRule> parseKeyRenameRule(std::string_view text) {
  // The first "->" with a blank before it and a blank (or the end) after it.
  std::size_t arrow = std::string_view::npos;
  for (std::size_t at = text.find("->"); at != std::string_view::npos; at = text.find("->", at + 1)) {
    if (at > 0 && isBlank(text[at - 1]) && (at + 2 == text.size() || isBlank(text[at + 2]))) {
      arrow = at;
      break;
    }
  }
  if (arrow == std::string_view::npos) {
    return makeError("a rename rule is 'REGEX -> REPLACEMENT' (got '" + std::string(text) + "')");
  }
  const std::string_view regex = trimmed(text.substr(0, arrow));
  if (regex.empty()) return makeError("a rename rule needs a regex before '->' (got '" + std::string(text) + "')");
  KeyRenameRule rule;
  rule.text = std::string(trimmed(text));
  rule.replacement = ecmaReplacement(trimmed(text.substr(arrow + 2)));
  try {
    rule.pattern = std::regex(std::string(regex), std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    return makeError("invalid regex '" + std::string(regex) + "' in rename rule: " + error.what());
  }
  return rule;
}

std::string renameKey(const std::vector<KeyRenameRule>& rules, const std::string& key) {
  // std::regex recurses per character: a rule that keeps lengthening the key ('x* -> yy') must
  // not hand the next rule a string long enough to overflow the stack. The caller refuses
  // names that long anyway.
  constexpr std::size_t kLongestRuleInput = 4096;
  std::string renamed = key;
  for (const KeyRenameRule& rule : rules) {
    if (renamed.size() > kLongestRuleInput) break;
    renamed = std::regex_replace(renamed, rule.pattern, rule.replacement);
  }
  return renamed;
}

bool globMatches(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point (the last '*'): linear in practice.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool anyGlobMatches(const std::vector<std::string>& patterns, std::string_view key) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) { return globMatches(pattern, key); });
}

}  // namespace ckptlint
