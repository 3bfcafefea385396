#include "linter/core/object_path.h"

#include <charconv>

namespace ckptlint {

std::string displayPath(const ObjectPath& path) {
  if (path.empty()) return "(root)";
  std::string out;
  for (const PathElement& element : path) {
    if (!out.empty()) out += '/';
    if (const auto* key = std::get_if<std::string>(&element)) {
      out += *key;
    } else if (const auto* index = std::get_if<int64_t>(&element)) {
      out += std::to_string(*index);
    } else {
      out += std::get<bool>(element) ? "True" : "False";
    }
  }
  return out;
}

namespace {

// Minimal reader for ["a", 0, true, "b\"c"]: strings with \" and \\ escapes, integers, booleans.
bool parseArraySpec(const std::string& spec, ObjectPath* path, std::string* error) {
  std::size_t i = 1;
  auto skipSpace = [&] {
    while (i < spec.size() && (spec[i] == ' ' || spec[i] == '\t')) ++i;
  };
  skipSpace();
  if (i < spec.size() && spec[i] == ']') {
    ++i;
    skipSpace();
    if (i == spec.size()) return true;
  }
  while (i < spec.size()) {
    skipSpace();
    if (i < spec.size() && spec[i] == '"') {
      std::string key;
      ++i;
      while (i < spec.size() && spec[i] != '"') {
        if (spec[i] == '\\' && i + 1 < spec.size()) ++i;
        key += spec[i++];
      }
      if (i == spec.size()) break;
      ++i;
      path->emplace_back(std::move(key));
    } else if (spec.compare(i, 4, "true") == 0 || spec.compare(i, 5, "false") == 0) {
      const bool flag = spec[i] == 't';
      i += flag ? 4 : 5;
      path->emplace_back(flag);
    } else {
      const char* begin = spec.data() + i;
      int64_t index = 0;
      auto [end, ec] = std::from_chars(begin, spec.data() + spec.size(), index);
      if (ec != std::errc() || end == begin) break;
      i += static_cast<std::size_t>(end - begin);
      path->emplace_back(index);
    }
    skipSpace();
    if (i < spec.size() && spec[i] == ',') {
      ++i;
      continue;
    }
    if (i < spec.size() && spec[i] == ']') {
      ++i;
      skipSpace();
      if (i == spec.size()) return true;
    }
    break;
  }
  *error = "cannot parse state-dict path '" + spec + "': expected a JSON array such as [\"model\"]";
  return false;
}

}  // namespace

bool parsePathSpec(const std::string& spec, ObjectPath* path, std::string* error) {
  path->clear();
  if (!spec.empty() && spec[0] == '[') return parseArraySpec(spec, path, error);
  std::size_t start = 0;
  while (start <= spec.size() && !spec.empty()) {
    const std::size_t slash = spec.find('/', start);
    const std::size_t end = slash == std::string::npos ? spec.size() : slash;
    path->emplace_back(spec.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool pathMatchesSpec(const ObjectPath& path, const ObjectPath& spec) {
  if (path.size() != spec.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == spec[i]) continue;
    const auto* index = std::get_if<int64_t>(&path[i]);
    const auto* text = std::get_if<std::string>(&spec[i]);
    if (index && text && std::to_string(*index) == *text) continue;
    return false;
  }
  return true;
}

bool isPrefix(const ObjectPath& prefix, const ObjectPath& path) {
  if (prefix.size() > path.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (!(prefix[i] == path[i])) return false;
  }
  return true;
}

}  // namespace ckptlint
