#include "linter/fix/state_dict_edits.h"

#include <unordered_map>
#include <unordered_set>

#include "linter/fix/module_prefixes.h"
#include "linter/formats/containers.h"
#include "linter/formats/value_at.h"

namespace ckptlint::fix {

using pickle::PairEdit;
using pickle::PickleTrace;
using pickle::Value;
using pickle::ValueKind;

namespace {

// The node SETITEM(S) fills for a mapping as torch.save writes one: a dict, or OrderedDict()
// (a call) carrying the items. TorchScript's wrapped containers are not written back.
const Value* fillTarget(const Value& mapping) {
  if (mapping.kind == ValueKind::kDict) return &mapping;
  if (mapping.kind == ValueKind::kCall && formats::asMapping(mapping) == &mapping.entries()) return &mapping;
  return nullptr;
}

// Every place in the stream where a string key of `target` is stored, by key.
std::unordered_map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> keyPositions(
    const PickleTrace& trace, const Value* target) {
  std::unordered_map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> positions;
  for (std::size_t f = 0; f < trace.dict_fills.size(); ++f) {
    const PickleTrace::DictFill& fill = trace.dict_fills[f];
    if (fill.target != target) continue;
    for (std::size_t p = 0; p < fill.pairs.size(); ++p) {
      if (fill.pairs[p].key->isString()) positions[fill.pairs[p].key->text].push_back({f, p});
    }
  }
  return positions;
}

std::vector<std::string> stringKeys(const Value& target) {
  std::vector<std::string> keys;
  for (const auto& entry : target.entries()) {
    if (entry.first->isString()) keys.push_back(entry.first->text);
  }
  return keys;
}

std::string quoted(const std::string& text) { return "'" + text.substr(0, 200) + "'"; }

// `_metadata` follows the key edits (module_prefixes.h).
void planMetadataEdits(const PickleTrace& trace, const Value& state_dict, const std::vector<std::string>& keys,
                       const EditPlan& plan, StateDictPickleEdits* out) {
  const Value* metadata = formats::moduleMetadata(state_dict);
  const Value* target = metadata != nullptr ? fillTarget(*metadata) : nullptr;
  if (target == nullptr) return;
  const std::vector<std::string> prefixes = stringKeys(*target);
  const std::vector<std::optional<std::string>> names = mapModulePrefixes(prefixes, keys, plan);
  const auto positions = keyPositions(trace, target);
  std::size_t renamed = 0;
  std::vector<std::string> dropped;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    if (names[i] && *names[i] == prefixes[i]) continue;
    const auto found = positions.find(prefixes[i]);
    if (found == positions.end()) continue;
    for (const auto& [fill, pair] : found->second) {
      PairEdit edit;
      edit.kind = names[i] ? PairEdit::Kind::kRenameKey : PairEdit::Kind::kDrop;
      edit.fill = fill;
      edit.pair = pair;
      edit.new_key = names[i].value_or("");
      edit.reencode_shared_key = true;  // '' and one-character prefixes are shared strings in CPython
      out->edits.push_back(std::move(edit));
    }
    if (names[i]) {
      ++renamed;
    } else {
      dropped.push_back(quoted(prefixes[i]));
    }
  }
  const auto entries = [](std::size_t count) { return std::to_string(count) + (count == 1 ? " entry" : " entries"); };
  if (renamed > 0) out->notes.push_back("_metadata: " + entries(renamed) + " renamed along with the keys");
  if (!dropped.empty()) {
    std::string list;
    for (std::size_t i = 0; i < dropped.size() && i < 5; ++i) list += (i > 0 ? ", " : "") + dropped[i];
    if (dropped.size() > 5) list += ", ...";
    out->notes.push_back("_metadata: " + entries(dropped.size()) + " dropped (" + list +
                         "): replaced by a renamed entry, or no longer a module of the new keys");
  }
}

}  // namespace

Result<StateDictPickleEdits> planPickleEdits(const pickle::Pickle& pickle, const PickleTrace& trace, const EditPlan& plan) {
  StateDictPickleEdits out;
  if (plan.empty()) return out;
  const std::string where = "the state dict at " + displayPath(plan.state_dict);
  const Value* found = pickle.root() != nullptr ? formats::valueAt(*pickle.root(), plan.state_dict) : nullptr;
  if (found == nullptr) return makeError(where + " is not in data.pkl");
  const Value* target = fillTarget(*found);
  if (target == nullptr) return makeError(where + " is not a dict or OrderedDict that can be rewritten");

  const std::vector<std::string> keys = stringKeys(*target);
  const auto positions = keyPositions(trace, target);
  std::unordered_set<std::string> edited;
  for (const Edit& edit : plan.edits) {
    const auto position = positions.find(edit.from);
    if (position == positions.end()) return makeError(where + " has no key " + quoted(edit.from));
    if (!edited.insert(edit.from).second) return makeError("key " + quoted(edit.from) + " is edited twice");
    for (const auto& [fill, pair] : position->second) {
      PairEdit pair_edit;
      pair_edit.kind = edit.op == Edit::Op::kDropKey ? PairEdit::Kind::kDrop : PairEdit::Kind::kRenameKey;
      pair_edit.fill = fill;
      pair_edit.pair = pair;
      pair_edit.new_key = edit.to;
      out.edits.push_back(std::move(pair_edit));
    }
  }
  // Python's dict would silently merge two equal keys: never write one.
  std::unordered_set<std::string> after;
  std::unordered_map<std::string, const Edit*> by_key;
  for (const Edit& edit : plan.edits) by_key.emplace(edit.from, &edit);
  for (const std::string& key : keys) {
    const auto edit = by_key.find(key);
    if (edit != by_key.end() && edit->second->op == Edit::Op::kDropKey) continue;
    const std::string& name = edit != by_key.end() ? edit->second->to : key;
    if (!after.insert(name).second) return makeError("the edits would give " + where + " the key " + quoted(name) + " twice; not rewritten");
  }
  planMetadataEdits(trace, *target, keys, plan, &out);
  return out;
}

}  // namespace ckptlint::fix
