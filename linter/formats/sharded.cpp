#include "linter/formats/sharded.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "linter/core/rule.h"

namespace ckptlint::formats {
namespace {

using nlohmann::json;

struct ShardIndex {
  std::map<std::string, std::string> weight_map;  // key -> shard file name, sorted by key
  std::optional<uint64_t> total_size;
  std::string total_size_problem;  // metadata.total_size present but not a byte count
};

// nlohmann keeps the last of two equal members, as Python's json.load (which transformers
// uses) does: the index means the same to both.
Result<json> parseJson(std::string_view bytes) {
  try {
    return json::parse(bytes.begin(), bytes.end());
  } catch (const json::exception& error) {
    const std::string what = error.what();
    const std::size_t tag_end = what.find("] ");
    return makeError("not valid JSON: " + (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
}

Result<ShardIndex> parseIndex(std::string_view bytes) {
  Result<json> document = parseJson(bytes);
  if (!document) return document.error();
  if (document->is_object() && document->value("format", json()) == "ckptlint-spec") {
    return makeError("a ckptlint model spec, not a checkpoint (give it to --model)");
  }
  if (!document->is_object() || !document->contains("weight_map")) {
    return makeError("a JSON file that is neither a ckptlint model spec nor a shard index (no \"weight_map\")");
  }
  const json& weight_map = (*document)["weight_map"];
  if (!weight_map.is_object()) return makeError(std::string("shard index: \"weight_map\" must be an object, not ") + weight_map.type_name());
  ShardIndex index;
  for (const auto& [key, file] : weight_map.items()) {
    if (!file.is_string()) {
      return makeError("shard index: \"weight_map\" member \"" + key + "\" must be a file name, not " + file.type_name());
    }
    index.weight_map.emplace(key, file.get<std::string>());
  }
  const auto metadata = document->find("metadata");
  if (metadata != document->end() && metadata->is_object()) {
    const auto total = metadata->find("total_size");
    if (total != metadata->end()) {
      if (total->is_number_unsigned()) {
        index.total_size = total->get<uint64_t>();
      } else {
        index.total_size_problem = "metadata.total_size is " + total->dump() + ", not a byte count";
      }
    }
  }
  return index;
}

// Shard names are relative to the index's folder and may not leave it.
std::optional<std::string> shardNameProblem(const std::string& name) {
  if (name.empty()) return "an empty shard file name";
  if (name.find('\0') != std::string::npos) return "a shard file name holding a NUL byte";
  if (name.front() == '/' || name.front() == '\\') return "shard \"" + name + "\" is an absolute path";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find_first_of("/\\", start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0) return "shard \"" + name + "\" leaves the index's folder";
    start = end + 1;
  }
  return std::nullopt;
}

std::string folderOf(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::optional<uint64_t> tensorBytes(const TensorInfo& tensor) {
  uint64_t bytes = elementSize(tensor.dtype);
  for (int64_t dim : tensor.shape) {
    if (dim < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) return std::nullopt;
  }
  return bytes;
}

// Where one key was found.
struct Found {
  int shard = 0;
  TensorInfo tensor;
};

class ShardedReader {
 public:
  ShardedReader(std::unique_ptr<io::MappedFile> index_file, const std::string& path, const LoadOptions& options)
      : path_(path), options_(options) {
    loaded_.checkpoint.file = path;
    loaded_.checkpoint.format = "sharded";
    loaded_.checkpoint.file_size = index_file->size();
    loaded_.file = std::move(index_file);
  }

  Result<LoadedCheckpoint> read() {
    Result<ShardIndex> index = parseIndex(loaded_.file->bytes());
    if (!index) return index.error();
    index_ = std::move(index).value();
    std::map<std::string, std::size_t> tensors_per_shard;
    for (const auto& [key, shard] : index_.weight_map) ++tensors_per_shard[shard];
    for (const auto& [shard, count] : tensors_per_shard) {
      if (std::optional<std::string> problem = shardNameProblem(shard)) return makeError("shard index: " + *problem);
      shard_numbers_.emplace(shard, static_cast<int>(shard_numbers_.size()));
    }
    for (const auto& [shard, count] : tensors_per_shard) readShard(shard, count);
    mergeKeys();
    checkTotalSize();
    return std::move(loaded_);
  }

 private:
  void addIssue(ReadIssue::Kind kind, std::string message, const std::string& key = {}) {
    ReadIssue issue;
    issue.kind = kind;
    issue.message = std::move(message);
    if (!key.empty()) issue.tensor = {key};
    loaded_.checkpoint.issues.push_back(std::move(issue));
  }

  void readShard(const std::string& name, std::size_t indexed_tensors) {
    Checkpoint& checkpoint = loaded_.checkpoint;
    const int number = static_cast<int>(checkpoint.shards.size());
    checkpoint.shards.push_back(folderOf(path_) + name);
    loaded_.shard_files.emplace_back();  // stays empty when the shard cannot be read
    const std::string lost = " (the index puts " + std::to_string(indexed_tensors) + " tensors there)";
    Result<LoadedCheckpoint> shard = loadSingleFileCheckpoint(checkpoint.shards.back(), options_);
    if (!shard) {
      addIssue(ReadIssue::Kind::kShardUnreadable, "shard " + name + " cannot be read: " + shard.error().message + lost);
      unreadable_.insert(number);
      return;
    }
    Checkpoint& contents = shard->checkpoint;
    // What the shard's reader learnt stays visible, whatever else the shard holds: its globals
    // (the security rules judge them), its records and its read issues, each naming the shard.
    if (checkpoint.pickle_protocol == 0) checkpoint.pickle_protocol = contents.pickle_protocol;
    if (checkpoint.byteorder.empty()) checkpoint.byteorder = contents.byteorder;
    for (GlobalReference& reference : contents.globals) {
      reference.record = name + ":" + reference.record;
      checkpoint.globals.push_back(std::move(reference));
    }
    for (ArchiveRecord& record : contents.records) {
      record.name = name + ":" + record.name;
      checkpoint.records.push_back(std::move(record));
    }
    for (ReadIssue& issue : contents.issues) {
      issue.message = "shard " + name + ": " + issue.message;
      checkpoint.issues.push_back(std::move(issue));
    }
    const StateDict* state_dict = nullptr;
    for (const StateDict& candidate : contents.state_dicts) {
      if (candidate.path.empty()) state_dict = &candidate;
    }
    if (state_dict == nullptr && contents.state_dicts.size() == 1) state_dict = &contents.state_dicts.front();
    if (state_dict == nullptr) {
      addIssue(ReadIssue::Kind::kShardUnreadable,
               "shard " + name + " holds no state dict at its root (" + std::to_string(contents.state_dicts.size()) +
                   " candidates)" + lost);
      unreadable_.insert(number);
      return;
    }
    for (std::size_t tensor_index : state_dict->tensors) {
      TensorInfo tensor = contents.tensors[tensor_index];
      const std::string key(stateDictKey(tensor));
      tensor.path = {key};
      tensor.shard = number;
      found_[key].push_back(Found{number, std::move(tensor)});
    }
    loaded_.shard_files.back() = std::move(shard->file);
  }

  // One state dict over all shards, keys sorted; disagreements with the index become issues.
  void mergeKeys() {
    Checkpoint& checkpoint = loaded_.checkpoint;
    std::set<std::string> keys;
    for (const auto& [key, shard] : index_.weight_map) keys.insert(key);
    for (const auto& [key, places] : found_) keys.insert(key);
    StateDict state_dict;
    state_dict.conventional = true;
    for (const std::string& key : keys) {
      const auto indexed = index_.weight_map.find(key);
      const auto places = found_.find(key);
      if (places == found_.end()) {
        const int shard = shard_numbers_.at(indexed->second);
        if (unreadable_.count(shard) == 0) {
          addIssue(ReadIssue::Kind::kShardKeyMissing,
                   "the index puts " + key + " in shard " + indexed->second + ", which does not hold it", key);
        }
        continue;
      }
      const std::vector<Found>& found = places->second;
      const Found* chosen = &found.front();
      if (indexed == index_.weight_map.end()) {
        addIssue(ReadIssue::Kind::kShardKeyUnindexed,
                 key + " is in shard " + shardName(chosen->shard) + " but not in the index's weight_map", key);
      } else {
        const int expected = shard_numbers_.at(indexed->second);
        for (const Found& place : found) {
          if (place.shard == expected) chosen = &place;
        }
        if (chosen->shard != expected) {
          addIssue(ReadIssue::Kind::kShardKeyMisplaced,
                   "the index puts " + key + " in shard " + indexed->second + ", but it is in " + shardName(chosen->shard),
                   key);
        }
      }
      if (found.size() > 1) {
        std::string message = key + " is in " + std::to_string(found.size()) + " shards:";
        for (const Found& place : found) message += " " + shardName(place.shard);
        addIssue(ReadIssue::Kind::kShardKeyDuplicate, message + " (read from " + shardName(chosen->shard) + ")", key);
      }
      state_dict.tensors.push_back(checkpoint.tensors.size());
      checkpoint.tensors.push_back(chosen->tensor);
    }
    checkpoint.state_dicts.push_back(std::move(state_dict));
  }

  // huggingface_hub's split_*_into_shards sums numel × element size once per storage.
  void checkTotalSize() {
    if (!index_.total_size_problem.empty()) {
      addIssue(ReadIssue::Kind::kShardTotalSize, index_.total_size_problem);
      return;
    }
    if (!index_.total_size || !unreadable_.empty()) return;
    uint64_t total = 0;
    std::set<std::pair<int, std::string>> storages;
    for (const TensorInfo& tensor : loaded_.checkpoint.tensors) {
      if (!storages.insert({tensor.shard, tensor.storage_key}).second) continue;
      const std::optional<uint64_t> bytes = tensorBytes(tensor);
      if (!bytes || __builtin_add_overflow(total, *bytes, &total)) return;
    }
    if (total != *index_.total_size) {
      addIssue(ReadIssue::Kind::kShardTotalSize, "the index's metadata.total_size is " + std::to_string(*index_.total_size) +
                                                     " bytes, but its tensors hold " + std::to_string(total));
    }
  }

  std::string shardName(int number) const {
    for (const auto& [name, shard] : shard_numbers_) {
      if (shard == number) return name;
    }
    return "?";
  }

  std::string path_;
  LoadOptions options_;
  LoadedCheckpoint loaded_;
  ShardIndex index_;
  std::map<std::string, int> shard_numbers_;  // shard file name -> index into Checkpoint::shards
  std::set<int> unreadable_;
  std::map<std::string, std::vector<Found>> found_;  // key -> where the shards hold it
};

}  // namespace

bool isShardIndex(std::string_view bytes) {
  Result<json> document = parseJson(bytes);
  return document && document->is_object() && document->contains("weight_map");
}

Result<LoadedCheckpoint> loadShardedCheckpoint(std::unique_ptr<io::MappedFile> index, const std::string& path,
                                               const LoadOptions& options) {
  return ShardedReader(std::move(index), path, options).read();
}

}  // namespace ckptlint::formats
