#include "rules/key_summary.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace ckptlint::rules {

namespace {

// A pattern is a sequence of token alternatives; it stands for their cartesian product.
using Alternatives = std::set<std::string>;
using Pattern = std::vector<Alternatives>;

bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
// '.' separates state-dict key segments, '/' the elements of an object path.
bool isSeparator(char c) { return c == '.' || c == '/'; }

// "layer10.0.conv1" -> layer, 10, ., 0, ., conv, 1: digit runs become their own tokens so
// that layer indices inside names (layer1, conv2) can vary on their own.
std::vector<std::string> tokenize(const std::string& key) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < key.size()) {
    std::size_t end = i + 1;
    if (isSeparator(key[i])) {
      // a separator is a token of its own
    } else if (isDigit(key[i])) {
      while (end < key.size() && isDigit(key[end])) ++end;
    } else {
      while (end < key.size() && !isSeparator(key[end]) && !isDigit(key[end])) ++end;
    }
    tokens.push_back(key.substr(i, end - i));
    i = end;
  }
  return tokens;
}

// Keys that are merged: not so long that merging costs more than it says, and free of the
// brace syntax itself, so that a rendered pattern can only mean the keys it came from.
constexpr std::size_t kMaxMergedTokens = 64;

bool mergeable(const std::string& key) {
  return key.find_first_of("{},") == std::string::npos && key.find("..") == std::string::npos;
}

// Merges patterns that agree everywhere except at `position` (same length), uniting the
// alternatives there. Order: first occurrence. Patterns longer than kMaxMergedTokens are
// passed through.
std::vector<Pattern> mergeAt(const std::vector<Pattern>& patterns, std::size_t position) {
  std::map<std::vector<Alternatives>, std::size_t> slot_of_rest;  // pattern minus `position` -> output slot
  std::vector<Pattern> merged;
  for (const Pattern& pattern : patterns) {
    if (position >= pattern.size() || pattern.size() > kMaxMergedTokens) {
      merged.push_back(pattern);
      continue;
    }
    Pattern rest = pattern;
    rest[position].clear();
    rest.push_back({std::to_string(pattern.size())});  // only equal lengths merge
    auto [it, inserted] = slot_of_rest.emplace(std::move(rest), merged.size());
    if (inserted) {
      merged.push_back(pattern);
    } else {
      merged[it->second][position].insert(pattern[position].begin(), pattern[position].end());
    }
  }
  return merged;
}

bool allNumbers(const Alternatives& alternatives) {
  return std::all_of(alternatives.begin(), alternatives.end(), [](const std::string& token) {
    return !token.empty() && token.size() < 10 && std::all_of(token.begin(), token.end(), isDigit) &&
           (token == "0" || token[0] != '0');
  });
}

std::string renderAlternatives(const Alternatives& alternatives) {
  if (alternatives.size() == 1) return *alternatives.begin();
  std::vector<std::string> parts;
  if (allNumbers(alternatives)) {
    std::vector<long> numbers;
    for (const std::string& token : alternatives) numbers.push_back(std::stol(token));
    std::sort(numbers.begin(), numbers.end());
    for (std::size_t i = 0; i < numbers.size();) {
      std::size_t j = i;
      while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
      if (j >= i + 2) {
        parts.push_back(std::to_string(numbers[i]) + ".." + std::to_string(numbers[j]));
      } else {
        for (std::size_t k = i; k <= j; ++k) parts.push_back(std::to_string(numbers[k]));
      }
      i = j + 1;
    }
    if (parts.size() == 1) return "{" + parts.front() + "}";
  } else {
    parts.assign(alternatives.begin(), alternatives.end());
  }
  std::string text = "{";
  for (std::size_t i = 0; i < parts.size(); ++i) text += (i > 0 ? "," : "") + parts[i];
  return text + "}";
}

std::string render(const Pattern& pattern) {
  std::string text;
  for (const Alternatives& alternatives : pattern) text += renderAlternatives(alternatives);
  return text;
}

}  // namespace

std::string summarizeKeys(const std::vector<std::string>& keys, std::size_t max_patterns) {
  // Merging is n log n per token position; beyond this many keys a message is no place
  // for all of them anyway (the finding's key list has every one).
  constexpr std::size_t kMaxSummarized = 4096;
  const std::size_t summarized = std::min(keys.size(), kMaxSummarized);
  std::vector<Pattern> patterns;
  std::vector<Pattern> literals;  // keys that are shown as they are, after the patterns
  std::size_t longest = 0;
  for (std::size_t index = 0; index < summarized; ++index) {
    const std::string& key = keys[index];
    if (!mergeable(key)) {
      literals.push_back({{key}});
      continue;
    }
    Pattern pattern;
    for (std::string& token : tokenize(key)) pattern.push_back({std::move(token)});
    if (pattern.size() <= kMaxMergedTokens) longest = std::max(longest, pattern.size());
    patterns.push_back(std::move(pattern));
  }
  // Later positions first, so leaf names (weight, bias) group before layer indices do.
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t position = longest; position-- > 0;) patterns = mergeAt(patterns, position);
  }
  patterns.insert(patterns.end(), literals.begin(), literals.end());
  std::string text;
  const std::size_t shown = std::min(patterns.size(), max_patterns);
  for (std::size_t i = 0; i < shown; ++i) text += (i > 0 ? ", " : "") + render(patterns[i]);
  if (patterns.size() > shown) {
    std::size_t hidden_keys = 0;
    for (std::size_t i = shown; i < patterns.size(); ++i) {
      std::size_t count = 1;
      for (const Alternatives& alternatives : patterns[i]) count *= alternatives.size();
      hidden_keys += count;
    }
    text += " and " + std::to_string(hidden_keys + keys.size() - summarized) + " more";
  } else if (keys.size() > summarized) {
    text += " and " + std::to_string(keys.size() - summarized) + " more";
  }
  return text;
}

}  // namespace ckptlint::rules
