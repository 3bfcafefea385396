#include "rules/key_matching.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <variant>

namespace ckptlint::rules {

namespace {

// Prefixes longer than this many segments are left to the dotted-suffix stage.
constexpr std::size_t kMaxPrefixSegments = 4;
// A remainder shared by more missing keys than this ("weight") says nothing about a prefix.
constexpr std::size_t kMaxPrefixesPerRemainder = 64;

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::vector<std::string_view> segmentsOf(std::string_view key) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    segments.push_back(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return segments;
    start = dot + 1;
  }
}

// Offset of the character after the first `count` dotted segments (and their dot).
std::size_t afterSegments(std::string_view key, std::size_t count) {
  std::size_t offset = 0;
  for (std::size_t i = 0; i < count; ++i) offset = key.find('.', offset) + 1;
  return offset;
}

std::string withPrefix(std::string_view prefix, std::string_view rest) {
  return prefix.empty() ? std::string(rest) : std::string(prefix) + "." + std::string(rest);
}

// DataParallel/DDP (`module`), FSDP/Lightning (`_forward_module`) and torch.compile
// (`_orig_mod`) wrap a model in an attribute. The first two only ever wrap from the outside,
// so they are stripped at the start only; `_orig_mod` also appears inside keys when a
// submodule was compiled. Whole segments only, and never the last one.
std::string stripWrappers(std::string_view key, std::string* removed) {
  const std::vector<std::string_view> segments = segmentsOf(key);
  std::size_t first = 0;
  while (first + 1 < segments.size() &&
         (segments[first] == "module" || segments[first] == "_forward_module" || segments[first] == "_orig_mod")) {
    *removed += std::string(segments[first]) + ".";
    ++first;
  }
  std::string kept;
  for (std::size_t i = first; i < segments.size(); ++i) {
    if (segments[i] == "_orig_mod" && i + 1 < segments.size()) {
      if (removed->find("_orig_mod.") == std::string::npos) *removed += "_orig_mod.";
      continue;
    }
    if (!kept.empty()) kept += '.';
    kept += segments[i];
  }
  return kept;
}

bool endsWithSegment(std::string_view key, std::string_view segment) {
  if (key == segment) return true;
  return key.size() > segment.size() && key.substr(key.size() - segment.size()) == segment &&
         key[key.size() - segment.size() - 1] == '.';
}

class Matcher {
 public:
  Matcher(const CheckContext& context, KeyMatching& result) : context_(context), result_(result) {}

  void run() {
    const StateDict* state_dict = context_.state_dict.chosen;
    if (state_dict == nullptr) return;
    for (std::size_t index : state_dict->tensors) result_.checkpoint.push_back(&context_.checkpoint.tensors[index]);
    if (context_.model == nullptr) {
      explainWithoutModel();
      return;
    }
    pairExactKeys();
    if (unexpected_count_ > 0 && !missing_.empty()) {
      explainWrappers();
      explainPrefixes();
      explainDottedSuffixes();
    }
    collectLeftovers();
  }

 private:
  const std::string& ckptKey(std::size_t index) const { return checkpointKey(result_, index); }
  const ModelEntry& entry(std::size_t index) const { return context_.model->entries[index]; }
  bool sameShape(std::size_t ckpt, std::size_t model) const {
    return result_.checkpoint[ckpt]->shape == entry(model).shape;
  }

  void pairExactKeys() {
    const auto& entries = context_.model->entries;
    std::unordered_map<std::string_view, std::size_t> checkpoint_index;
    for (std::size_t i = 0; i < result_.checkpoint.size(); ++i) checkpoint_index.emplace(ckptKey(i), i);
    ckpt_claimed_.assign(result_.checkpoint.size(), false);
    for (std::size_t m = 0; m < entries.size(); ++m) {
      auto found = checkpoint_index.find(entries[m].key);
      if (found != checkpoint_index.end() && !ckpt_claimed_[found->second]) {
        result_.exact.push_back({found->second, m});
        ckpt_claimed_[found->second] = true;
      } else {
        missing_.emplace(entries[m].key, m);
      }
    }
    unexpected_count_ = static_cast<std::size_t>(std::count(ckpt_claimed_.begin(), ckpt_claimed_.end(), false));
  }

  // Pairs checkpoint key `ckpt` with the still-missing model key `target`, if there is one.
  bool claim(std::size_t ckpt, const std::string& target, KeyExplanation& explanation, bool require_same_shape) {
    auto found = missing_.find(target);
    if (found == missing_.end()) return false;
    if (require_same_shape && !sameShape(ckpt, found->second)) return false;
    explanation.pairs.push_back({ckpt, found->second});
    ckpt_claimed_[ckpt] = true;
    missing_.erase(found);
    --unexpected_count_;
    return true;
  }

  void explainWrappers() {
    std::map<std::string, KeyExplanation> by_removed;  // one explanation per removed pattern
    std::vector<std::string> order;
    const std::size_t missing_before = missing_.size();
    for (std::size_t u = 0; u < result_.checkpoint.size(); ++u) {
      if (ckpt_claimed_[u]) continue;
      std::string removed;
      const std::string target = stripWrappers(ckptKey(u), &removed);
      if (removed.empty()) continue;
      auto [it, inserted] = by_removed.try_emplace(removed);
      if (inserted) {
        it->second.cause = KeyExplanation::Cause::kWrapperPrefix;
        it->second.from_prefix = removed;
        it->second.missing_before = missing_before;
        order.push_back(removed);
      }
      claim(u, target, it->second, false);
    }
    for (const std::string& removed : order) {
      if (!by_removed[removed].pairs.empty()) result_.explanations.push_back(std::move(by_removed[removed]));
    }
  }

  // Greedy: the prefix change (A -> B, either may be empty) that pairs the most keys first,
  // then again on what is left.
  void explainPrefixes() {
    std::vector<std::pair<std::string, std::string>> rejected;
    constexpr int kMaxRounds = 64;  // each round pairs keys or rejects a candidate; bound the rest
    for (int round = 0; round < kMaxRounds && unexpected_count_ > 0 && !missing_.empty(); ++round) {
      std::map<std::pair<std::string, std::string>, std::size_t> votes = countPrefixVotes();
      const std::pair<std::string, std::string>* best = nullptr;
      std::size_t best_votes = 0;
      for (const auto& [change, count] : votes) {
        if (std::find(rejected.begin(), rejected.end(), change) != rejected.end()) continue;
        if (best == nullptr || better(change, count, *best, best_votes)) {
          best = &change;
          best_votes = count;
        }
      }
      if (best == nullptr) return;
      // Two changes as good as each other onto the same target names (strip `x.` or `y.`
      // to reach `conv.weight`) are a guess either way: take neither.
      bool ambiguous = false;
      for (const auto& [change, count] : votes) {
        if (count != best_votes || change == *best || change.second != best->second) continue;
        if (std::find(rejected.begin(), rejected.end(), change) != rejected.end()) continue;
        rejected.push_back(change);
        ambiguous = true;
      }
      if (ambiguous) {
        rejected.push_back(*best);
        continue;
      }
      KeyExplanation explanation;
      const auto& [from, to] = *best;
      explanation.cause = from.empty()  ? KeyExplanation::Cause::kAddPrefix
                          : to.empty() ? KeyExplanation::Cause::kStripPrefix
                                       : KeyExplanation::Cause::kRenamedModule;
      explanation.from_prefix = from.empty() ? "" : from + ".";
      explanation.to_prefix = to.empty() ? "" : to + ".";
      explanation.missing_before = missing_.size();
      // A prefix is consistent when no key that already matches carries it; stripping `head.`
      // from some keys while others under `head.` match as they are is a per-key guess.
      if (explanation.cause != KeyExplanation::Cause::kRenamedModule &&
          !prefixIsConsistent(explanation.from_prefix, explanation.to_prefix)) {
        explanation.cause = KeyExplanation::Cause::kDottedSuffix;
      }
      // A guess must agree on shapes, and a renamed module must move as a whole.
      const bool rename = explanation.cause != KeyExplanation::Cause::kStripPrefix &&
                          explanation.cause != KeyExplanation::Cause::kAddPrefix;
      const bool whole_module = explanation.cause == KeyExplanation::Cause::kRenamedModule;
      std::vector<std::pair<std::size_t, std::string>> moves;
      bool whole_module_moves = true;
      for (std::size_t u = 0; u < result_.checkpoint.size(); ++u) {
        if (ckpt_claimed_[u]) continue;
        const std::string& key = ckptKey(u);
        if (!from.empty() && !startsWith(key, explanation.from_prefix)) continue;
        std::string target = withPrefix(to, std::string_view(key).substr(explanation.from_prefix.size()));
        auto found = missing_.find(target);
        if (found != missing_.end() && (!rename || sameShape(u, found->second))) {
          moves.emplace_back(u, std::move(target));
        } else {
          whole_module_moves = false;
        }
      }
      if (!whole_module || whole_module_moves) {
        for (auto& [u, target] : moves) claim(u, target, explanation, false);
      }
      if (explanation.pairs.empty()) {
        rejected.push_back(*best);
        continue;
      }
      result_.explanations.push_back(std::move(explanation));
    }
  }

  bool prefixIsConsistent(const std::string& from_prefix, const std::string& to_prefix) const {
    for (const KeyPair& pair : result_.exact) {
      if (!from_prefix.empty() && startsWith(ckptKey(pair.checkpoint), from_prefix)) return false;
      if (!to_prefix.empty() && startsWith(entry(pair.model).key, to_prefix)) return false;
    }
    return true;
  }

  static bool better(const std::pair<std::string, std::string>& change, std::size_t votes,
                     const std::pair<std::string, std::string>& best, std::size_t best_votes) {
    if (votes != best_votes) return votes > best_votes;
    const bool plain = change.first.empty() || change.second.empty();
    const bool best_plain = best.first.empty() || best.second.empty();
    if (plain != best_plain) return plain;  // a strip or add explains more simply than a rename
    const std::size_t length = change.first.size() + change.second.size();
    const std::size_t best_length = best.first.size() + best.second.size();
    if (length != best_length) return length < best_length;
    return change < best;
  }

  std::map<std::pair<std::string, std::string>, std::size_t> countPrefixVotes() const {
    std::unordered_map<std::string_view, std::vector<std::string_view>> prefixes_by_rest;
    for (const auto& [key, model_index] : missing_) {
      const std::size_t segments = segmentsOf(key).size();
      for (std::size_t s = 0; s < segments && s <= kMaxPrefixSegments; ++s) {
        const std::size_t cut = afterSegments(key, s);
        auto& prefixes = prefixes_by_rest[std::string_view(key).substr(cut)];
        if (prefixes.size() <= kMaxPrefixesPerRemainder) prefixes.push_back(std::string_view(key).substr(0, cut ? cut - 1 : 0));
      }
    }
    std::map<std::pair<std::string, std::string>, std::size_t> votes;
    for (std::size_t u = 0; u < result_.checkpoint.size(); ++u) {
      if (ckpt_claimed_[u]) continue;
      const std::string_view key = ckptKey(u);
      const std::size_t segments = segmentsOf(key).size();
      for (std::size_t s = 0; s < segments && s <= kMaxPrefixSegments; ++s) {
        const std::size_t cut = afterSegments(key, s);
        auto found = prefixes_by_rest.find(key.substr(cut));
        if (found == prefixes_by_rest.end() || found->second.size() > kMaxPrefixesPerRemainder) continue;
        const std::string_view from = key.substr(0, cut ? cut - 1 : 0);
        for (std::string_view to : found->second) {
          if (from != to) ++votes[{std::string(from), std::string(to)}];
        }
      }
    }
    return votes;
  }

  // detectron2's rule: a key pairs with another when one is a complete dotted suffix of the
  // other and the shapes agree; the longest such match wins; a tie, or a checkpoint key wanted
  // by two model keys, is ambiguous and left alone.
  void explainDottedSuffixes() {
    std::unordered_map<std::string_view, std::vector<std::size_t>> unexpected_by_suffix;
    std::unordered_map<std::string_view, std::size_t> unexpected_by_key;
    for (std::size_t u = 0; u < result_.checkpoint.size(); ++u) {
      if (ckpt_claimed_[u]) continue;
      const std::string_view key = ckptKey(u);
      unexpected_by_key.emplace(key, u);
      const std::size_t segments = segmentsOf(key).size();
      for (std::size_t s = 1; s < segments; ++s) unexpected_by_suffix[key.substr(afterSegments(key, s))].push_back(u);
    }
    std::vector<KeyPair> proposals;
    std::map<std::size_t, std::size_t> proposals_per_checkpoint_key;
    for (const auto& [key, m] : missing_) {
      std::size_t best_length = 0;
      std::vector<std::size_t> best;
      // m by init-capture: clang before 16 cannot capture a structured binding.
      auto consider = [&, m = m](std::size_t u, std::size_t length) {
        if (!sameShape(u, m) || length < best_length) return;
        if (length > best_length) best.clear();
        best_length = length;
        best.push_back(u);
      };
      const std::size_t segments = segmentsOf(key).size();
      if (auto longer = unexpected_by_suffix.find(key); longer != unexpected_by_suffix.end()) {
        for (std::size_t u : longer->second) consider(u, segments);
      }
      for (std::size_t s = 1; s < segments; ++s) {
        auto shorter = unexpected_by_key.find(std::string_view(key).substr(afterSegments(key, s)));
        if (shorter != unexpected_by_key.end()) consider(shorter->second, segments - s);
      }
      if (best.size() == 1) {
        proposals.push_back({best.front(), m});
        ++proposals_per_checkpoint_key[best.front()];
      }
    }
    KeyExplanation explanation;
    explanation.cause = KeyExplanation::Cause::kDottedSuffix;
    explanation.missing_before = missing_.size();
    std::sort(proposals.begin(), proposals.end(),
              [](const KeyPair& a, const KeyPair& b) { return a.checkpoint < b.checkpoint; });
    for (const KeyPair& proposal : proposals) {
      if (proposals_per_checkpoint_key[proposal.checkpoint] != 1) continue;
      claim(proposal.checkpoint, entry(proposal.model).key, explanation, true);
    }
    if (!explanation.pairs.empty()) result_.explanations.push_back(std::move(explanation));
  }

  void collectLeftovers() {
    const StateDict& state_dict = *context_.state_dict.chosen;
    for (const auto& [key, m] : missing_) {
      if (filledByTorch(key, state_dict)) {
        result_.filled_by_torch.push_back(m);
      } else {
        result_.missing.push_back(m);
      }
    }
    std::sort(result_.missing.begin(), result_.missing.end());
    std::sort(result_.filled_by_torch.begin(), result_.filled_by_torch.end());
    for (std::size_t u = 0; u < result_.checkpoint.size(); ++u) {
      if (!ckpt_claimed_[u]) result_.unexpected.push_back(u);
    }
  }

  // BatchNorm._load_from_state_dict inserts a zero num_batches_tracked when the module's
  // `_metadata` version (looked up under the model's module prefix) is absent or below 2.
  static bool filledByTorch(std::string_view key, const StateDict& state_dict) {
    constexpr std::string_view kCounter = "num_batches_tracked";
    if (!endsWithSegment(key, kCounter)) return false;
    const std::string module(key.size() > kCounter.size() ? key.substr(0, key.size() - kCounter.size() - 1) : "");
    auto version = state_dict.module_versions.find(module);
    return version == state_dict.module_versions.end() || version->second < 2;
  }

  // Without a model only the wrappers are certain: a leading wrapper on every key, or
  // `_orig_mod` (which no real module is called) anywhere.
  void explainWithoutModel() {
    const auto& tensors = result_.checkpoint;
    if (tensors.empty()) return;
    const bool all_wrapped = std::all_of(tensors.begin(), tensors.end(), [](const TensorInfo* tensor) {
      const std::string_view first = segmentsOf(stateDictKey(*tensor)).front();
      return first == "module" || first == "_forward_module" || first == "_orig_mod";
    });
    std::unordered_map<std::string_view, std::size_t> existing;
    for (std::size_t i = 0; i < tensors.size(); ++i) existing.emplace(ckptKey(i), i);
    std::map<std::string, KeyExplanation> by_removed;
    std::vector<std::string> order;
    std::map<std::string, std::size_t> targets;
    std::vector<std::pair<std::size_t, std::string>> renames;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      std::string removed;
      std::string target = stripWrappers(ckptKey(i), &removed);
      if (removed.empty() || (!all_wrapped && removed.find("_orig_mod.") == std::string::npos)) continue;
      ++targets[target];
      renames.emplace_back(i, std::move(target));
    }
    for (auto& [index, target] : renames) {
      // Never create a duplicate key: skip renames onto an existing key or onto each other.
      if (targets[target] > 1 || existing.count(target) != 0) continue;
      std::string removed;
      stripWrappers(ckptKey(index), &removed);
      auto [it, inserted] = by_removed.try_emplace(removed);
      if (inserted) {
        it->second.cause = KeyExplanation::Cause::kWrapperPrefix;
        it->second.from_prefix = removed;
        order.push_back(removed);
      }
      it->second.keys_without_model.push_back(index);
      it->second.renamed_to.push_back(std::move(target));
    }
    for (const std::string& removed : order) result_.explanations.push_back(std::move(by_removed[removed]));
  }

  const CheckContext& context_;
  KeyMatching& result_;
  std::vector<bool> ckpt_claimed_;
  std::map<std::string, std::size_t> missing_;  // model key -> entry index, still unpaired
  std::size_t unexpected_count_ = 0;
};

}  // namespace

std::vector<KeyPair> KeyMatching::allPairs() const {
  std::vector<KeyPair> pairs = exact;
  for (const KeyExplanation& explanation : explanations) {
    pairs.insert(pairs.end(), explanation.pairs.begin(), explanation.pairs.end());
  }
  return pairs;
}

const KeyMatching& keyMatching(const CheckContext& context) {
  return context.cache.get<KeyMatching>([&] {
    KeyMatching matching;
    Matcher(context, matching).run();
    return matching;
  });
}

const std::string& checkpointKey(const KeyMatching& matching, std::size_t index) {
  return std::get<std::string>(matching.checkpoint[index]->path.back());
}

std::vector<Edit> renameEdits(const KeyMatching& matching, const KeyExplanation& explanation, const ModelSpec* model) {
  std::vector<Edit> edits;
  for (const KeyPair& pair : explanation.pairs) {
    edits.push_back({Edit::Op::kRenameKey, checkpointKey(matching, pair.checkpoint), model->entries[pair.model].key});
  }
  for (std::size_t i = 0; i < explanation.keys_without_model.size(); ++i) {
    edits.push_back({Edit::Op::kRenameKey, checkpointKey(matching, explanation.keys_without_model[i]),
                     explanation.renamed_to[i]});
  }
  return edits;
}

}  // namespace ckptlint::rules
