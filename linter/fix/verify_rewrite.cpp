#include "linter/fix/verify_rewrite.h"

#include <unordered_map>
#include <unordered_set>

#include "linter/core/rule.h"

namespace ckptlint::fix {
namespace {

const StateDict* stateDictAt(const Checkpoint& checkpoint, const ObjectPath& path) {
  for (const StateDict& state_dict : checkpoint.state_dicts) {
    if (state_dict.path == path) return &state_dict;
  }
  return nullptr;
}

std::vector<std::string> keysOf(const Checkpoint& checkpoint, const StateDict& state_dict) {
  std::vector<std::string> keys;
  for (std::size_t index : state_dict.tensors) keys.emplace_back(stateDictKey(checkpoint.tensors[index]));
  return keys;
}

std::unordered_map<std::string, const ArchiveRecord*> recordsByName(const Checkpoint& checkpoint) {
  std::unordered_map<std::string, const ArchiveRecord*> records;
  for (const ArchiveRecord& record : checkpoint.records) records.emplace(record.name, &record);
  return records;
}

// What must survive a rewrite unchanged, apart from the key.
std::optional<std::string> tensorDifference(const TensorInfo& a, const TensorInfo& b) {
  if (a.dtype != b.dtype) return "dtype";
  if (a.shape != b.shape) return "shape";
  if (a.stride != b.stride) return "stride";
  if (a.storage_offset != b.storage_offset) return "storage offset";
  if (a.device != b.device) return "device";
  if (a.storage_key != b.storage_key) return "storage key";
  if (a.storage_nbytes != b.storage_nbytes) return "storage size";
  if (a.requires_grad != b.requires_grad) return "requires_grad";
  if (a.is_parameter != b.is_parameter) return "parameter flag";
  return std::nullopt;
}

class Comparison {
 public:
  Comparison(const Checkpoint& original, const Checkpoint& rewritten)
      : original_(original), rewritten_(rewritten), original_records_(recordsByName(original)),
        rewritten_records_(recordsByName(rewritten)) {}

  std::optional<std::string> tensors(const TensorInfo& before, const TensorInfo& after) const {
    if (original_.format == "safetensors") {
      // Each tensor's bytes are named by its key there: the storage key follows a rename.
      TensorInfo renamed = before;
      renamed.storage_key = after.storage_key;
      if (auto what = tensorDifference(renamed, after)) return "tensor " + displayPath(before.path) + ": its " + *what + " changed";
      return std::nullopt;
    }
    if (auto what = tensorDifference(before, after)) return "tensor " + displayPath(before.path) + ": its " + *what + " changed";
    if (before.storage_key.empty() || before.shard >= 0) return std::nullopt;
    // A legacy file names its storages "storage:<key>" and has no CRC-32 to compare.
    const bool legacy = original_.format == "torch-legacy";
    auto old_record = original_records_.find((legacy ? "storage:" : "data/") + before.storage_key);
    auto new_record = rewritten_records_.find("data/" + after.storage_key);
    if (old_record == original_records_.end()) return std::nullopt;  // nothing to compare with
    if (new_record == rewritten_records_.end()) return "storage record data/" + after.storage_key + " is missing";
    if (old_record->second->size != new_record->second->size ||
        (!legacy && old_record->second->crc32 != new_record->second->crc32)) {
      return "storage record data/" + after.storage_key + " has other bytes (size or CRC-32 differ)";
    }
    return std::nullopt;
  }

 private:
  const Checkpoint& original_;
  const Checkpoint& rewritten_;
  std::unordered_map<std::string, const ArchiveRecord*> original_records_;
  std::unordered_map<std::string, const ArchiveRecord*> rewritten_records_;
};

bool inStateDict(const TensorInfo& tensor, const ObjectPath& state_dict) {
  return tensor.path.size() == state_dict.size() + 1 && isPrefix(state_dict, tensor.path);
}

}  // namespace

std::optional<std::string> compareWithPlan(const Checkpoint& original, const Checkpoint& rewritten, const EditPlan& plan) {
  // The one conversion a writer makes: a legacy file is written in the zip format.
  const bool converted = original.format == "torch-legacy" && rewritten.format == "torch-zip";
  if (original.format != rewritten.format && !converted) {
    return "the format changed from " + original.format + " to " + rewritten.format;
  }
  const StateDict* before = stateDictAt(original, plan.state_dict);
  const StateDict* after = stateDictAt(rewritten, plan.state_dict);
  if (before == nullptr) return "the original has no state dict at " + displayPath(plan.state_dict);
  if (after == nullptr) return "the rewritten file has no state dict at " + displayPath(plan.state_dict);

  const std::vector<std::string> expected = keysAfter(plan, keysOf(original, *before));
  const std::vector<std::string> found = keysOf(rewritten, *after);
  if (found.size() != expected.size()) {
    return "the state dict holds " + std::to_string(found.size()) + " tensors, " + std::to_string(expected.size()) +
           " were planned";
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (found[i] != expected[i]) return "key " + std::to_string(i) + " is '" + found[i] + "', '" + expected[i] + "' was planned";
  }

  const Comparison comparison(original, rewritten);
  const std::vector<std::string> before_keys = keysOf(original, *before);
  const std::unordered_set<std::string> dropped = [&] {
    std::unordered_set<std::string> keys;
    for (const Edit& edit : plan.edits) {
      if (edit.op == Edit::Op::kDropKey) keys.insert(edit.from);
    }
    return keys;
  }();
  std::size_t next = 0;
  for (std::size_t i = 0; i < before->tensors.size(); ++i) {
    if (dropped.count(before_keys[i]) != 0) continue;
    const TensorInfo& old_tensor = original.tensors[before->tensors[i]];
    const TensorInfo& new_tensor = rewritten.tensors[after->tensors[next++]];
    if (auto difference = comparison.tensors(old_tensor, new_tensor)) return difference;
  }

  // Everything outside the edited state dict: the same tensors at the same paths.
  std::vector<const TensorInfo*> old_rest;
  std::vector<const TensorInfo*> new_rest;
  for (const TensorInfo& tensor : original.tensors) {
    if (!inStateDict(tensor, plan.state_dict)) old_rest.push_back(&tensor);
  }
  for (const TensorInfo& tensor : rewritten.tensors) {
    if (!inStateDict(tensor, plan.state_dict)) new_rest.push_back(&tensor);
  }
  if (old_rest.size() != new_rest.size()) {
    return std::to_string(new_rest.size()) + " tensors outside the state dict, the original has " +
           std::to_string(old_rest.size());
  }
  for (std::size_t i = 0; i < old_rest.size(); ++i) {
    if (old_rest[i]->path != new_rest[i]->path) return "tensor " + displayPath(old_rest[i]->path) + " moved";
    if (auto difference = comparison.tensors(*old_rest[i], *new_rest[i])) return difference;
  }
  return std::nullopt;
}

std::optional<std::string> findingStillReported(const std::vector<Finding>& fixed, const EditPlan& plan,
                                                const std::vector<Finding>& recheck) {
  for (const Finding& finding : recheck) {
    if (finding.rule_id == "CKL001") return "the rewritten file does not read back: " + finding.message;
  }
  std::unordered_map<std::string_view, std::string_view> new_name;
  for (const Edit& edit : plan.edits) {
    if (edit.op == Edit::Op::kRenameKey) new_name.emplace(edit.from, edit.to);
  }
  for (const Finding& was : fixed) {
    std::unordered_set<std::string_view> names(was.keys.begin(), was.keys.end());
    if (was.key) names.insert(*was.key);
    for (const std::string& key : was.keys) {
      auto renamed = new_name.find(key);
      if (renamed != new_name.end()) names.insert(renamed->second);
    }
    for (const Finding& now : recheck) {
      if (now.rule_id != was.rule_id) continue;
      for (const std::string& key : now.keys) {
        if (names.count(key) != 0) return now.rule_id + " is still reported after the fix: " + now.message;
      }
      if (now.key && names.count(*now.key) != 0) return now.rule_id + " is still reported after the fix: " + now.message;
    }
  }
  return std::nullopt;
}

}  // namespace ckptlint::fix
