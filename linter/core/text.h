// Prefix and suffix tests on text (C++20 has them as string_view members; this is C++17).
#pragma once

#include <string_view>

namespace ckptlint {

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace ckptlint
