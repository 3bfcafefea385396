#include "linter/cli/check_inputs.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "linter/core/text.h"
#include "linter/formats/checkpoint_candidate.h"

namespace ckptlint::cli {
namespace {

namespace fs = std::filesystem;

std::string endingsList() {
  std::string list;
  for (std::string_view ending : formats::checkpointFileEndings()) {
    list += (list.empty() ? "" : " ") + std::string(ending);
  }
  return list;
}

// Shards named by an index met during the walk: linted through the index, not alone.
using ShardSet = std::set<fs::path>;

void addShardsOfIndexes(const fs::path& directory, const std::vector<fs::directory_entry>& entries, ShardSet* shards) {
  for (const fs::directory_entry& entry : entries) {
    std::error_code error;
    if (entry.path().filename().native().front() == '.' || !entry.is_regular_file(error)) continue;
    for (const std::string& shard : formats::shardFilesNamedBy(entry.path().string())) {
      shards->insert((directory / shard).lexically_normal());
    }
  }
}

// Depth first, each directory's entries sorted by name: the order is the same on every file
// system and for every -j.
void walk(const fs::path& directory, std::vector<CheckInput>* found, ShardSet* shards) {
  std::error_code error;
  fs::directory_iterator entries(directory, error);
  if (error) {
    found->push_back({directory.string(), "cannot list this directory: " + error.message()});
    return;
  }
  std::vector<fs::directory_entry> sorted;
  for (auto end = fs::directory_iterator(); entries != end; entries.increment(error)) {
    if (error) break;
    sorted.push_back(*entries);
  }
  if (error) {
    found->push_back({directory.string(), "cannot list this directory: " + error.message()});
    return;
  }
  std::sort(sorted.begin(), sorted.end(), [](const fs::directory_entry& a, const fs::directory_entry& b) {
    return a.path().filename().native() < b.path().filename().native();
  });
  addShardsOfIndexes(directory, sorted, shards);
  for (const fs::directory_entry& entry : sorted) {
    if (entry.path().filename().native().front() == '.') continue;  // hidden: .git, .cache, ._model.pt
    // An index is never hidden as another index's shard: indexes naming themselves or each
    // other would otherwise hide themselves and the shards they name, and the walk pass clean.
    if (shards->count(entry.path().lexically_normal()) != 0 && !endsWith(entry.path().filename().native(), ".index.json")) {
      continue;
    }
    std::error_code status_error;
    if (entry.is_symlink(status_error)) {
      // A link to a directory could loop; a link to a file is just another name for it.
      if (entry.is_regular_file(status_error) && formats::isCheckpointCandidate(entry.path().string())) {
        found->push_back({entry.path().string(), std::nullopt});
      }
      continue;
    }
    if (entry.is_directory(status_error)) {
      walk(entry.path(), found, shards);
    } else if (entry.is_regular_file(status_error) && formats::isCheckpointCandidate(entry.path().string())) {
      found->push_back({entry.path().string(), std::nullopt});
    }
  }
}

}  // namespace

std::vector<CheckInput> expandCheckInputs(const std::vector<std::string>& arguments) {
  std::vector<CheckInput> inputs;
  for (const std::string& argument : arguments) {
    std::error_code error;
    const fs::file_status status = fs::status(argument, error);
    if (fs::is_fifo(status) || fs::is_socket(status)) {
      // Opening a FIFO blocks until something writes to it: the check would hang.
      inputs.push_back({argument, "not a regular file (a FIFO or socket)"});
      continue;
    }
    if (!fs::is_directory(status)) {
      inputs.push_back({argument, std::nullopt});  // a file, or a path the check reports as unreadable
      continue;
    }
    const std::size_t before = inputs.size();
    ShardSet shards;
    walk(fs::path(argument), &inputs, &shards);
    if (inputs.size() == before) {
      inputs.push_back({argument, "no checkpoint files in this directory (looked for " + endingsList() +
                                      " files whose content is a checkpoint; hidden entries skipped)"});
    }
  }
  return inputs;
}

}  // namespace ckptlint::cli
