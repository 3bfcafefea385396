#include "linter/cli/baseline_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "linter/cli/same_file.h"

namespace ckptlint::cli {

namespace fs = std::filesystem;

namespace {

// The path with its folder resolved and its own name kept (a link to a checkpoint is keyed by
// where the link is, as the user names it).
fs::path locatedPath(const std::string& path) {
  const std::string located = entryReplacedBy(path);
  if (!located.empty()) return fs::path(located);
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  return (error ? fs::path(path) : absolute).lexically_normal();
}

}  // namespace

reports::BaselineFileKey baselineKeysFor(const std::string& baseline_path) {
  const fs::path folder = locatedPath(baseline_path).parent_path();
  return [folder](const std::string& checked_path) {
    const fs::path located = locatedPath(checked_path);
    const fs::path relative = located.lexically_relative(folder);
    return (relative.empty() ? located : relative).generic_string();
  };
}

Result<std::vector<reports::BaselineEntry>> readBaselineFile(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return makeError(path + ": cannot read the baseline: " + std::strerror(errno));
  if (S_ISDIR(info.st_mode)) return makeError(path + ": cannot read the baseline: it is a directory");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || in.bad()) return makeError(path + ": cannot read the baseline");
  Result<std::vector<reports::BaselineEntry>> entries = reports::parseBaselineJson(text.str());
  if (!entries) return makeError(path + ": " + entries.error().message);
  return entries;
}

}  // namespace ckptlint::cli
