#include "reports/fingerprint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <type_traits>
#include <variant>

#include "linter/io/sha256.h"

namespace ckptlint::reports {
namespace {

// The message with every number that stands alone ("offset 248", "3 references") made '#':
// byte offsets and counts move when a checkpoint is re-saved. Digits inside a name stay, so
// that "archive/data/0", "cuda:1" or "layer.3.weight" keep telling findings apart.
std::string withoutNumbers(const std::string& message) {
  auto isDigit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  auto opensWord = [](char c) { return c == ' ' || c == '(' || c == '['; };
  auto closesWord = [](char c) { return c == ' ' || c == ')' || c == ']' || c == ',' || c == ';'; };
  std::string text;
  for (std::size_t i = 0; i < message.size();) {
    std::size_t end = i;
    while (end < message.size() && isDigit(message[end])) ++end;
    const bool stands_alone = end > i && (i == 0 || opensWord(message[i - 1])) &&
                              (end == message.size() || closesWord(message[end]));
    if (stands_alone) {
      text += '#';
      i = end;
    } else {
      text.append(message, i, std::max(end, i + 1) - i);
      i = std::max(end, i + 1);
    }
  }
  return text;
}

// What identifies a finding: rule, state-dict path and keys. Elements are typed and
// NUL-separated so that different paths cannot serialize alike.
std::string fingerprintInput(const Finding& finding) {
  std::string input = finding.rule_id;
  input += '\0';
  if (finding.state_dict) {
    for (const PathElement& element : *finding.state_dict) {
      std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::string>) {
              input += "s:" + value;
            } else if constexpr (std::is_same_v<T, bool>) {
              input += value ? "b:1" : "b:0";
            } else {
              input += "i:" + std::to_string(value);
            }
          },
          element);
      input += '\0';
    }
  }
  input += '\0';
  input += finding.key.value_or("");
  std::vector<std::string> keys = finding.keys;
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) input += '\0' + key;
  // A finding that covers no key (CKL301's global, an archive issue about a record) is told
  // apart by what its message names: else a baselined `__main__.Config` would hide a new
  // `posix.system` in the same file.
  if (!finding.key && finding.keys.empty()) input += std::string(1, '\0') + "m:" + withoutNumbers(finding.message);
  return input;
}

}  // namespace

std::vector<std::string> findingFingerprints(const std::vector<Finding>& findings) {
  std::vector<std::string> fingerprints;
  fingerprints.reserve(findings.size());
  std::map<std::string, int> occurrences;
  for (const Finding& finding : findings) {
    const std::string hash = io::sha256Hex(fingerprintInput(finding)).substr(0, 32);
    fingerprints.push_back(hash + ":" + std::to_string(++occurrences[hash]));
  }
  return fingerprints;
}

}  // namespace ckptlint::reports
