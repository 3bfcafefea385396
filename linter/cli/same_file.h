// Whether writing a path would replace a file the run reads: symbolic links resolved, so that
// "./x.pt", "sub/../x.pt" and a link to x.pt all count as x.pt.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

namespace ckptlint::cli {

/// The file a path names once symbolic links are followed; empty if it cannot be resolved.
inline std::string resolvedPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> real(realpath(path.c_str(), nullptr), &std::free);
  return real ? std::string(real.get()) : std::string();
}

/// The directory entry that writing `path` (a new file renamed into place) replaces: its
/// folder resolved, its last name kept (a link there is itself replaced, not followed).
/// Empty if the folder cannot be resolved or the name is no file name.
inline std::string entryReplacedBy(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return {};
  const std::string real_folder = resolvedPath(folder);
  if (real_folder.empty()) return {};
  return (real_folder == "/" ? "" : real_folder) + "/" + name;
}

/// Whether writing `output` would replace the file `input` names (not merely another link to it).
inline bool wouldReplace(const std::string& output, const std::string& input) {
  const std::string replaced = entryReplacedBy(output);
  return !replaced.empty() && replaced == resolvedPath(input);
}

}  // namespace ckptlint::cli
