#include "linter/fix/module_prefixes.h"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "linter/core/text.h"

namespace ckptlint::fix {
namespace {

// What the keys under one prefix say about its new name.
struct PrefixMapping {
  enum class Kind { kNoKeys, kAllDropped, kConsistent, kInconsistent };
  Kind kind = Kind::kNoKeys;
  std::string target;  // kConsistent
};

std::string join(const std::string& prefix, const std::string& rest) {
  if (prefix.empty()) return rest;
  return rest.empty() ? prefix : prefix + "." + rest;
}

// Every module prefix of `key` ('' first, then "a", "a.b", ... without the key itself), with
// what follows it.
template <class Visit>
void forEachPrefix(const std::string& key, Visit visit) {
  visit(std::string(), key);
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
    visit(key.substr(0, dot), key.substr(dot + 1));
  }
}

// One pass over the keys, aggregating per prefix (only the prefixes `_metadata` names and their
// ancestors), so a 100,000-key state dict costs keys x depth, not keys x prefixes.
class PrefixMapper {
 public:
  PrefixMapper(const std::vector<std::string>& prefixes, const std::vector<std::string>& keys, const EditPlan& plan) {
    for (const std::string& prefix : prefixes) {
      forEachPrefix(prefix, [&](const std::string& ancestor, const std::string&) { mappings_.emplace(ancestor, PrefixMapping{}); });
      mappings_.emplace(prefix, PrefixMapping{});
    }
    std::unordered_map<std::string, const Edit*> edits;
    for (const Edit& edit : plan.edits) edits.emplace(edit.from, &edit);
    for (const std::string& key : keys) {
      const auto edit = edits.find(key);
      std::optional<std::string> new_key = key;
      if (edit != edits.end()) {
        new_key = edit->second->op == Edit::Op::kRenameKey ? std::optional<std::string>(edit->second->to) : std::nullopt;
      }
      forEachPrefix(key, [&](const std::string& prefix, const std::string& rest) { record(prefix, rest, new_key); });
      if (new_key) {
        forEachPrefix(*new_key, [&](const std::string& prefix, const std::string&) { new_prefixes_.insert(prefix); });
      }
    }
  }

  // nullopt: drop. A prefix without keys follows its nearest ancestor that has some.
  std::optional<std::string> newName(const std::string& prefix) const {
    std::string ancestor = prefix;
    std::string rest;
    while (true) {
      const PrefixMapping& mapping = mappings_.at(ancestor);
      switch (mapping.kind) {
        case PrefixMapping::Kind::kConsistent: return join(mapping.target, rest);
        case PrefixMapping::Kind::kAllDropped: return std::nullopt;
        case PrefixMapping::Kind::kInconsistent: return prefix;
        case PrefixMapping::Kind::kNoKeys: break;
      }
      if (ancestor.empty()) return prefix;
      const std::size_t dot = ancestor.rfind('.');
      const std::string last = dot == std::string::npos ? ancestor : ancestor.substr(dot + 1);
      rest = join(last, rest);
      ancestor = dot == std::string::npos ? "" : ancestor.substr(0, dot);
    }
  }

  bool prefixesSomeNewKey(const std::string& prefix) const { return new_prefixes_.count(prefix) != 0; }
  bool prefixedSomeOldKey(const std::string& prefix) const {
    return mappings_.at(prefix).kind != PrefixMapping::Kind::kNoKeys;
  }

 private:
  // Key `prefix.rest` becomes `new_key` (nullopt: dropped): what that says of `prefix`'s new name.
  void record(const std::string& prefix, const std::string& rest, const std::optional<std::string>& new_key) {
    const auto found = mappings_.find(prefix);
    if (found == mappings_.end()) return;
    PrefixMapping& mapping = found->second;
    if (!new_key) {
      if (mapping.kind == PrefixMapping::Kind::kNoKeys) mapping.kind = PrefixMapping::Kind::kAllDropped;
      return;
    }
    if (mapping.kind == PrefixMapping::Kind::kInconsistent) return;
    std::optional<std::string> target;
    if (*new_key == rest) {
      target = "";
    } else if (endsWith(*new_key, "." + rest)) {
      target = new_key->substr(0, new_key->size() - rest.size() - 1);
    }
    if (!target || (mapping.kind == PrefixMapping::Kind::kConsistent && mapping.target != *target)) {
      mapping.kind = PrefixMapping::Kind::kInconsistent;
    } else {
      mapping = {PrefixMapping::Kind::kConsistent, *target};
    }
  }

  std::unordered_map<std::string, PrefixMapping> mappings_;
  std::unordered_set<std::string> new_prefixes_;
};

}  // namespace

std::vector<std::optional<std::string>> mapModulePrefixes(const std::vector<std::string>& prefixes,
                                                          const std::vector<std::string>& keys,
                                                          const EditPlan& plan) {
  const PrefixMapper mapper(prefixes, keys, plan);
  std::vector<std::optional<std::string>> names;
  names.reserve(prefixes.size());
  for (const std::string& prefix : prefixes) {
    std::optional<std::string> name = mapper.newName(prefix);
    // Kept its name, but the keys it prefixed are gone (renamed away or dropped).
    if (name && *name == prefix && mapper.prefixedSomeOldKey(prefix) && !mapper.prefixesSomeNewKey(prefix)) {
      name.reset();
    }
    names.push_back(std::move(name));
  }
  // Collisions: a renamed entry wins over one that kept its name; renamed ones that collide
  // with each other cannot be told apart and all go.
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i]) by_name[*names[i]].push_back(i);
  }
  for (const auto& [name, holders] : by_name) {
    if (holders.size() < 2) continue;
    std::vector<std::size_t> renamed;
    for (std::size_t i : holders) {
      if (prefixes[i] != name) renamed.push_back(i);
    }
    for (std::size_t i : holders) {
      const bool kept_name = prefixes[i] == name;
      if ((kept_name && !renamed.empty()) || (!kept_name && renamed.size() > 1)) names[i].reset();
    }
  }
  return names;
}

}  // namespace ckptlint::fix
