#include "linter/cli/config_syntax.h"

#include <algorithm>
#include <filesystem>

namespace ckptlint::cli {

namespace {

// Boost's trim_ws.
std::string_view trimmed(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

std::string at(const std::string& file, int line) { return file + ":" + std::to_string(line); }

}  // namespace

Result<std::vector<ConfigEntry>> parseConfigText(std::string_view text, const std::string& file) {
  // A byte-order mark (Windows editors write one) is not part of the first key.
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  std::vector<ConfigEntry> entries;
  std::string prefix;
  int line_number = 0;
  for (std::size_t start = 0; start <= text.size(); ++line_number) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trimmed(line);
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      if (line.size() == 2) return makeError(at(file, line_number + 1) + ": a section needs a name: '[]'");
      prefix = std::string(line.substr(1, line.size() - 2));
      if (prefix.back() != '.') prefix += '.';
      continue;
    }
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return makeError(at(file, line_number + 1) + ": expected 'key = value' or '[section]', got '" + std::string(line) + "'");
    }
    const std::string_view key = trimmed(line.substr(0, equals));
    if (key.empty()) return makeError(at(file, line_number + 1) + ": no key before '='");
    entries.push_back({prefix + std::string(key), std::string(trimmed(line.substr(equals + 1))), line_number + 1});
  }
  return entries;
}

std::string findConfigFile(const std::string& folder) {
  std::error_code ignored;
  for (std::filesystem::path place = folder;; place = place.parent_path()) {
    const std::filesystem::path candidate = place / kConfigFileName;
    if (std::filesystem::symlink_status(candidate, ignored).type() != std::filesystem::file_type::not_found &&
        !ignored) {
      return candidate.string();
    }
    if (place == place.root_path() || place.parent_path() == place || place.empty()) return {};
  }
}

}  // namespace ckptlint::cli
