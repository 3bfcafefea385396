#include "linter/formats/checkpoint_candidate.h"

#include <set>

#include <nlohmann/json.hpp>

#include "linter/core/text.h"
#include "linter/formats/file_kind.h"
#include "linter/formats/sharded.h"
#include "linter/io/mapped_file.h"

namespace ckptlint::formats {
namespace {

bool isCheckpointKind(FileKind kind) {
  switch (kind) {
    case FileKind::kZip:
    case FileKind::kLegacyPickle:
    case FileKind::kLegacyTar:
    case FileKind::kPreviewZip:
    case FileKind::kSafetensors:
    case FileKind::kPlainPickle:
    case FileKind::kGitLfsPointer:  // a CI checkout without `git lfs pull` must not pass clean
    case FileKind::kEmpty: return true;
    case FileKind::kUnknown: return false;
  }
  return false;
}

std::string_view fileName(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The sharded reader refuses shard names that leave the index's folder (absolute, or with a
// ".." part, '/' or '\\' separated); a walk must not skip the files such a name points at,
// or they would be linted by nobody.
bool staysInFolder(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.front() == '\\') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

const std::vector<std::string_view>& checkpointFileEndings() {
  static const std::vector<std::string_view> kEndings = {".pt",  ".pth",         ".ckpt",
                                                         ".bin", ".tar",         ".safetensors",
                                                         ".index.json"};
  return kEndings;
}

bool hasCheckpointFileEnding(std::string_view file_name) {
  for (std::string_view ending : checkpointFileEndings()) {
    if (file_name.size() > ending.size() && endsWith(file_name, ending)) return true;
  }
  return false;
}

bool isCheckpointCandidate(const std::string& path) {
  if (!hasCheckpointFileEnding(fileName(path))) return false;
  // Mapping costs nothing per byte: detectFileKind touches the first page and compares a
  // safetensors header length with the file size.
  Result<io::MappedFile> file = io::MappedFile::open(path);
  if (!file) return true;  // unreadable: the check reports it, a walk never skips it in silence
  const FileKind kind = detectFileKind(file->bytes());
  if (kind == FileKind::kUnknown && endsWith(path, ".index.json")) return isShardIndex(file->bytes());
  return isCheckpointKind(kind);
}

std::vector<std::string> shardFilesNamedBy(const std::string& path) {
  std::vector<std::string> files;
  if (!endsWith(path, ".index.json")) return files;
  Result<io::MappedFile> file = io::MappedFile::open(path);
  if (!file) return files;
  const nlohmann::json index = nlohmann::json::parse(file->bytes().begin(), file->bytes().end(), nullptr,
                                                     /*allow_exceptions=*/false);
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) return files;
  std::set<std::string> seen;
  for (const auto& item : index["weight_map"].items()) {
    if (item.value().is_string() && staysInFolder(item.value().get<std::string>()) &&
        seen.insert(item.value().get<std::string>()).second) {
      files.push_back(item.value().get<std::string>());
    }
  }
  return files;
}

}  // namespace ckptlint::formats
