#include "linter/formats/object_walk.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "linter/core/bounded_issues.h"
#include "linter/core/state_dict_roles.h"
#include "linter/formats/containers.h"
#include "linter/formats/optimizer_state.h"
#include "linter/formats/python_repr.h"
#include "linter/formats/tensor_rebuild.h"

namespace ckptlint::formats {

using pickle::Value;
using pickle::ValueKind;

bool isConventionalStateDictKey(const std::string& key) {
  const StateDictRole role = stateDictRole(ObjectPath{key});
  return role == StateDictRole::kModel || role == StateDictRole::kAlternate;
}

namespace {

// Keys as Python code walking the loaded object names them: str and int (and bool, an int
// subclass) as themselves, anything else by repr().
PathElement pathElementOf(const Value& key) {
  if (key.isString()) return key.text;
  if (key.isInt()) return key.integer;
  if (key.kind == ValueKind::kBool) return key.boolean;
  return pythonRepr(key);  // includes ints beyond int64, as hex text
}

// {"layer1.0.bn1": {"version": 2}, ...} -> module prefix -> version, ints only.
std::map<std::string, int64_t> moduleVersions(const Value& metadata) {
  std::map<std::string, int64_t> versions;
  const Entries* modules = asMapping(metadata);
  if (modules == nullptr) return versions;
  for (const auto& [prefix, local] : *modules) {
    const Entries* local_metadata = prefix->isString() ? asMapping(*local) : nullptr;
    const Value* version = local_metadata != nullptr ? lookup(*local_metadata, "version") : nullptr;
    if (version != nullptr && version->isInt()) versions.emplace(prefix->text, version->integer);
  }
  return versions;
}

// How the walk reached a container: from which parent, under which key or position. Kept
// instead of a copy of the path, which for long keys shared by many containers would cost
// (containers × key length); paths are rebuilt only for the few notes that name them.
struct Origin {
  const Value* parent = nullptr;  // nullptr for the root
  const Value* key = nullptr;     // the dict key, when reached through a mapping entry
  int64_t index = -1;             // the position, when reached through a list or tuple
};

// Walks every container once. A container reached again through another path (shared with
// BINGET, or a cycle) is not walked again: a note names both paths. This keeps the walk linear
// in the pickle's size where Python's path-by-path walk could expand a few hundred bytes into
// billions of paths.
class Walker {
 public:
  explicit Walker(const WalkLimits& limits) : limits_(limits) {}

  Result<ObjectContents> run(const Value& root) {
    ObjectPath path;
    if (auto error = visit(root, path, false, Origin{})) return *error;
    contents_.issues = shared_notes_.take();
    orderStateDicts();
    return std::move(contents_);
  }

 private:
  // Keeps the recursion depth (not the path length: an object's state sits at the object's
  // path) within the limit.
  class DepthGuard {
   public:
    explicit DepthGuard(uint32_t& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }

   private:
    uint32_t& depth_;
  };

  // Returns an error to stop the walk; sets `is_tensor` for the caller's state-dict test.
  std::optional<Error> visit(const Value& value, ObjectPath& path, bool inside_optimizer, Origin origin,
                             bool* is_tensor = nullptr) {
    DepthGuard guard(depth_);
    if (++visits_ > limits_.max_visits) {
      return makeError("object tree too large to walk: more than " + std::to_string(limits_.max_visits) + " values");
    }
    if (depth_ > limits_.max_depth) {
      return makeError("object tree nested deeper than " + std::to_string(limits_.max_depth) + " levels at " +
                       displayPath(path));
    }
    Result<std::optional<TensorInfo>> tensor = recognizeTensor(value);
    if (!tensor) return makeError("tensor at " + displayPath(path) + ": " + tensor.error().message);
    if (tensor->has_value()) {
      tensor_path_bytes_ += path_bytes_;
      if (tensor_path_bytes_ > limits_.max_tensor_path_bytes) {
        return makeError("the tensors' paths add up to more than " + std::to_string(limits_.max_tensor_path_bytes) +
                         " bytes (very long keys shared by many tensors)");
      }
      TensorInfo info = std::move(**tensor);
      info.path = path;
      if (inside_optimizer) optimizer_tensors_.emplace(&value, contents_.tensors.size());
      contents_.tensors.push_back(std::move(info));
      if (is_tensor != nullptr) *is_tensor = true;
      return std::nullopt;
    }
    const Entries* mapping = asMapping(value);
    const pickle::ValueList* sequence = mapping == nullptr ? asSequence(value) : nullptr;
    const bool object = mapping == nullptr && sequence == nullptr && value.kind == ValueKind::kCall;
    if (mapping == nullptr && sequence == nullptr && !object) return std::nullopt;
    auto [first, inserted] = origins_.emplace(&value, origin);
    if (!inserted) {
      noteSharedObject(value, path);
      return std::nullopt;
    }
    if (mapping != nullptr) return visitMapping(value, *mapping, path, inside_optimizer);
    if (sequence != nullptr) return visitSequence(value, *sequence, path, inside_optimizer);
    return visitObject(value, path, inside_optimizer);
  }

  std::optional<Error> visitMapping(const Value& node, const Entries& entries, ObjectPath& path, bool inside_optimizer) {
    const bool optimizer = !inside_optimizer && isOptimizerState(entries);
    inside_optimizer = inside_optimizer || optimizer;
    const std::size_t candidate_slot = contents_.state_dicts.size();
    reserveTensorsFor(entries.size());
    std::vector<std::size_t> candidate_tensors;
    bool all_tensors_with_string_keys = !entries.empty();
    for (const auto& [key, entry] : entries) {
      if (auto error = push(path, pathElementOf(*key))) return error;
      bool entry_is_tensor = false;
      const std::size_t tensor_index = contents_.tensors.size();
      if (auto error = visit(*entry, path, inside_optimizer, Origin{&node, key, -1}, &entry_is_tensor)) return error;
      pop(path);
      if (entry_is_tensor && key->isString()) {
        candidate_tensors.push_back(tensor_index);
      } else {
        all_tensors_with_string_keys = false;
      }
    }
    if (optimizer) {
      contents_.optimizer_states.push_back(readOptimizerState(entries, path, [this](const Value* value) {
        auto found = optimizer_tensors_.find(value);
        return found != optimizer_tensors_.end() ? std::optional<std::size_t>(found->second) : std::nullopt;
      }));
    }
    if (all_tensors_with_string_keys && !inside_optimizer) {
      StateDict candidate;
      candidate.path = path;
      candidate.tensors = std::move(candidate_tensors);
      const Value* metadata = moduleMetadata(node);
      candidate.has_metadata = metadata != nullptr;
      if (metadata != nullptr) candidate.module_versions = moduleVersions(*metadata);
      candidate.conventional =
          path.empty() || (std::holds_alternative<std::string>(path.back()) &&
                           isConventionalStateDictKey(std::get<std::string>(path.back())));
      // Insert before the candidates found inside it, keeping pre-order (outer first).
      contents_.state_dicts.insert(contents_.state_dicts.begin() + static_cast<std::ptrdiff_t>(candidate_slot),
                                   std::move(candidate));
    }
    return std::nullopt;
  }

  std::optional<Error> visitSequence(const Value& node, const pickle::ValueList& items, ObjectPath& path,
                                     bool inside_optimizer) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto index = static_cast<int64_t>(i);
      if (auto error = push(path, index)) return error;
      if (auto error = visit(*items[i], path, inside_optimizer, Origin{&node, nullptr, index})) return error;
      pop(path);
    }
    return std::nullopt;
  }

  // Any other object (a whole nn.Module, argparse.Namespace, ...): its attributes come from the
  // BUILD state, a dict or a (dict, slots) pair; attribute names become path elements.
  std::optional<Error> visitObject(const Value& object, ObjectPath& path, bool inside_optimizer) {
    const Origin inside{&object, nullptr, -1};  // the state sits at the object's own path
    if (object.state() != nullptr) {
      const pickle::ValueList* parts = asSequence(*object.state());
      if (parts != nullptr && parts->size() == 2 && asMapping(*object.state()) == nullptr) {
        for (const Value* part : *parts) {
          if (auto error = visit(*part, path, inside_optimizer, inside)) return error;
        }
      } else if (auto error = visit(*object.state(), path, inside_optimizer, inside)) {
        return error;
      }
    }
    if (!object.entries().empty()) {
      if (auto error = visitMapping(object, object.entries(), path, inside_optimizer)) return error;
    }
    return visitSequence(object, object.appended(), path, inside_optimizer);
  }

  // A large state dict's tensors would otherwise be moved ~17 times as the vector doubles;
  // growing at least twofold keeps many small dicts linear too. Capped: a hostile dict of
  // millions of non-tensors must not reserve gigabytes (unused capacity is only address space).
  void reserveTensorsFor(std::size_t entries) {
    constexpr std::size_t kMaxHint = std::size_t{1} << 20;
    std::vector<TensorInfo>& tensors = contents_.tensors;
    const std::size_t wanted = tensors.size() + std::min(entries, kMaxHint);
    if (wanted > tensors.capacity()) tensors.reserve(std::max(wanted, 2 * tensors.capacity()));
  }

  std::optional<Error> push(ObjectPath& path, PathElement element) {
    if (const auto* key = std::get_if<std::string>(&element)) path_bytes_ += key->size();
    path.push_back(std::move(element));
    if (path_bytes_ > limits_.max_path_bytes) {
      return makeError("a path's keys add up to more than " + std::to_string(limits_.max_path_bytes) + " bytes");
    }
    return std::nullopt;
  }

  void pop(ObjectPath& path) {
    if (const auto* key = std::get_if<std::string>(&path.back())) path_bytes_ -= key->size();
    path.pop_back();
  }

  ObjectPath firstPathOf(const Value& node) const {
    ObjectPath reversed;
    for (const Value* current = &node; current != nullptr;) {
      const Origin& origin = origins_.at(current);
      if (origin.key != nullptr) reversed.push_back(pathElementOf(*origin.key));
      if (origin.index >= 0) reversed.emplace_back(origin.index);
      current = origin.parent;
    }
    return ObjectPath(reversed.rbegin(), reversed.rend());
  }

  void noteSharedObject(const Value& node, const ObjectPath& again) {
    if (!shared_notes_.accepting()) {
      shared_notes_.skip(ReadIssue::Kind::kSharedObject);
      return;
    }
    const ObjectPath first = firstPathOf(node);
    if (isPrefix(first, again)) {
      shared_notes_.add(ReadIssue::Kind::kSharedObject, "the object at " + displayPath(first) +
                                                            " contains itself (at " + displayPath(again) +
                                                            "); not walked again");
    } else {
      shared_notes_.add(ReadIssue::Kind::kSharedObject, displayPath(again) + " is the same object as " +
                                                            displayPath(first) + "; its contents are listed once, under " +
                                                            displayPath(first));
    }
  }

  // Root first, then the model's weights, then alternates (EMA copies), then the rest, each in
  // walk order (state_dict_roles.h).
  void orderStateDicts() {
    auto rank = [](const StateDict& candidate) { return static_cast<int>(stateDictRole(candidate.path)); };
    std::stable_sort(contents_.state_dicts.begin(), contents_.state_dicts.end(),
                     [&](const StateDict& a, const StateDict& b) { return rank(a) < rank(b); });
  }

  WalkLimits limits_;
  ObjectContents contents_;
  std::unordered_map<const Value*, Origin> origins_;
  std::unordered_map<const Value*, std::size_t> optimizer_tensors_;  // tensors inside optimizer states
  uint64_t visits_ = 0;
  uint32_t depth_ = 0;
  uint64_t path_bytes_ = 0;         // key bytes on the current path
  uint64_t tensor_path_bytes_ = 0;  // key bytes of all tensor paths recorded
  BoundedIssues shared_notes_{20, "shared objects"};
};

}  // namespace

Result<ObjectContents> walkObjectTree(const Value& root, const WalkLimits& limits) { return Walker(limits).run(root); }

}  // namespace ckptlint::formats
