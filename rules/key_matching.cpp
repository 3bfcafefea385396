#include "rules/key_matching.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "linter/core/flat_index.h"
#include "linter/core/text.h"
#include "linter/core/utf8.h"

namespace ckptlint::rules {

namespace {

// Prefixes longer than this many segments are left to the dotted-suffix stage.
constexpr std::size_t kMaxPrefixSegments = 4;
// A remainder shared by more missing keys than this ("weight") says nothing about a prefix.
constexpr std::size_t kMaxPrefixesPerRemainder = 64;

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

// Where each proper dotted suffix of the key starts, shortest last; at most the last
// kMaxSuffixSegments of them (a pairing by a deeper suffix is no evidence anyway).
std::vector<std::size_t> suffixStarts(std::string_view key) {
  constexpr std::size_t kMaxSuffixSegments = 32;
  std::vector<std::size_t> starts;
  for (std::size_t dot = key.rfind('.'); dot != std::string_view::npos && starts.size() < kMaxSuffixSegments;
       dot = dot == 0 ? std::string_view::npos : key.rfind('.', dot - 1)) {
    starts.push_back(dot + 1);
  }
  std::reverse(starts.begin(), starts.end());
  return starts;
}

std::string withPrefix(std::string_view prefix, std::string_view rest) {
  return prefix.empty() ? std::string(rest) : std::string(prefix) + "." + std::string(rest);
}

// DataParallel/DDP (`module`), FSDP/Lightning (`_forward_module`) and torch.compile
// (`_orig_mod`) wrap a model in an attribute. The first two only ever wrap from the outside,
// so they are stripped at the start only (and only when `leading` says the outside is
// wrapped); `_orig_mod` also appears inside keys when a submodule was compiled. Whole segments
// only, and never the last one.
std::string stripWrappers(std::string_view key, std::string* removed, bool leading = true) {
  const std::vector<std::string_view> segments = segmentsOf(key);
  std::size_t first = 0;
  while (leading && first + 1 < segments.size() &&
         (segments[first] == "module" || segments[first] == "_forward_module" || segments[first] == "_orig_mod")) {
    *removed += std::string(segments[first]) + ".";
    ++first;
  }
  std::string kept;
  bool any_kept = false;
  for (std::size_t i = first; i < segments.size(); ++i) {
    if (segments[i] == "_orig_mod" && i + 1 < segments.size()) {
      if (removed->find("_orig_mod.") == std::string::npos) *removed += "_orig_mod.";
      continue;
    }
    if (any_kept) kept += '.';
    kept += segments[i];
    any_kept = true;
  }
  return kept;
}

bool endsWithSegment(std::string_view key, std::string_view segment) {
  if (key == segment) return true;
  return key.size() > segment.size() && key.substr(key.size() - segment.size()) == segment &&
         key[key.size() - segment.size() - 1] == '.';
}

using PrefixChange = std::pair<std::string_view, std::string_view>;  // checkpoint prefix -> model prefix

struct PrefixChangeHash {
  std::size_t operator()(const PrefixChange& change) const {
    const std::hash<std::string_view> hash;
    return hash(change.first) * 31 + hash(change.second);
  }
};

class Matcher {
 public:
  Matcher(const CheckContext& context, KeyMatching& result) : context_(context), result_(result) {}

  void run() {
    const StateDict* state_dict = context_.state_dict.chosen;
    if (state_dict == nullptr) return;
    for (std::size_t index : state_dict->tensors) result_.checkpoint.push_back(&context_.checkpoint.tensors[index]);
    if (context_.model == nullptr) {
      ckpt_claimed_.assign(result_.checkpoint.size(), false);
      explainConfiguredRenames();
      explainWithoutModel();
      return;
    }
    pairExactKeys();
    explainConfiguredRenames();
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
    // Checkpoint key -> its first index; a flat index costs one array for 100k keys.
    FlatIndex checkpoint_index;
    checkpoint_index.reserve(result_.checkpoint.size());
    const std::hash<std::string_view> hash;
    for (std::size_t i = 0; i < result_.checkpoint.size(); ++i) {
      const std::string& key = ckptKey(i);
      checkpoint_index.findOrAdd(hash(key), i, [&](std::size_t at) { return ckptKey(at) == key; });
    }
    ckpt_claimed_.assign(result_.checkpoint.size(), false);
    for (std::size_t m = 0; m < entries.size(); ++m) {
      const std::string& key = entries[m].key;
      const auto found = checkpoint_index.find(hash(key), [&](std::size_t at) { return ckptKey(at) == key; });
      if (found && !ckpt_claimed_[*found]) {
        result_.exact.push_back({*found, m});
        ckpt_claimed_[*found] = true;
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

  // The user's rename rules come before any guess. With a model they pair the keys they rename
  // onto missing model keys; without one, every key they rename is renamed. A rename that would
  // give two keys one name (onto a key that stays, or several onto one) or an empty name is
  // refused, and the key goes on under its own name.
  void explainConfiguredRenames() {
    if (context_.settings == nullptr || context_.settings->key_renames.empty()) return;
    const std::size_t count = result_.checkpoint.size();
    std::vector<std::optional<std::string>> targets(count);
    for (std::size_t u = 0; u < count; ++u) {
      if (ckpt_claimed_[u]) continue;  // already matches the model as it is
      if (ckptKey(u).size() > kMaxRenamedKeyLength) {
        result_.refused_renames.push_back({RefusedRename::Reason::kTooLong, u, ""});
        continue;
      }
      std::string renamed = renameKey(context_.settings->key_renames, ckptKey(u));
      if (renamed == ckptKey(u)) continue;
      if (renamed.empty() || renamed.size() > kMaxRenamedKeyLength) {
        const auto reason = renamed.empty() ? RefusedRename::Reason::kEmptyKey : RefusedRename::Reason::kTooLong;
        result_.refused_renames.push_back({reason, u, renamed.empty() ? renamed : ""});
        continue;
      }
      if (!isValidUtf8(renamed)) {  // torch.load could not read the key back
        result_.refused_renames.push_back({RefusedRename::Reason::kNotUtf8, u, ""});
        continue;
      }
      targets[u] = std::move(renamed);
    }
    refuseCollidingRenames(targets);
    KeyExplanation explanation;
    explanation.cause = KeyExplanation::Cause::kConfiguredRename;
    explanation.missing_before = missing_.size();
    for (std::size_t u = 0; u < count; ++u) {
      if (!targets[u]) continue;
      if (context_.model != nullptr) {
        claim(u, *targets[u], explanation, /*require_same_shape=*/false);  // a shape change is CKL201's
      } else {
        explanation.keys_without_model.push_back(u);
        explanation.renamed_to.push_back(std::move(*targets[u]));
        ckpt_claimed_[u] = true;
      }
    }
    if (!explanation.pairs.empty() || !explanation.keys_without_model.empty()) {
      result_.explanations.push_back(std::move(explanation));
    }
  }

  // Refuses renames until every key's final name is unique; refusing one can make its old name
  // collide with another rename, so this repeats until nothing changes.
  void refuseCollidingRenames(std::vector<std::optional<std::string>>& targets) {
    for (bool changed = true; changed;) {
      std::unordered_map<std::string_view, std::size_t> holders;  // final name -> how many keys
      std::unordered_set<std::string_view> kept;                   // names of keys not renamed
      for (std::size_t u = 0; u < targets.size(); ++u) {
        if (targets[u]) {
          ++holders[*targets[u]];
        } else {
          ++holders[ckptKey(u)];
          kept.insert(ckptKey(u));
        }
      }
      std::vector<std::size_t> refused_now;
      for (std::size_t u = 0; u < targets.size(); ++u) {
        if (!targets[u] || holders[*targets[u]] < 2) continue;
        result_.refused_renames.push_back({kept.count(*targets[u]) != 0 ? RefusedRename::Reason::kOntoExistingKey
                                                                         : RefusedRename::Reason::kSeveralOntoOne,
                                           u, *targets[u]});
        refused_now.push_back(u);
      }
      for (std::size_t u : refused_now) targets[u].reset();
      changed = !refused_now.empty();
    }
    std::sort(result_.refused_renames.begin(), result_.refused_renames.end(),
              [](const RefusedRename& a, const RefusedRename& b) { return a.checkpoint < b.checkpoint; });
  }

  void explainWrappers() {
    const std::size_t missing_before = missing_.size();
    std::vector<KeyExplanation> found;
    for (const WrapperStrip& strip : unambiguousWrapperStrips(/*leading=*/true)) {
      KeyExplanation& explanation = explanationFor(found, strip.removed);
      explanation.missing_before = missing_before;
      claim(strip.checkpoint, strip.target, explanation, false);
    }
    for (KeyExplanation& explanation : found) {
      if (!explanation.pairs.empty()) result_.explanations.push_back(std::move(explanation));
    }
  }

  // A checkpoint key with its wrapper segments stripped.
  struct WrapperStrip {
    std::size_t checkpoint = 0;
    std::string removed;  // "module.", "module.module.", "_orig_mod."
    std::string target;
  };

  // The unpaired keys that lose wrapper segments, except where another unpaired key ends up
  // with the same name (`module.fc.w` and `_orig_mod.fc.w`, or `module.fc.w` beside `fc.w`):
  // stripping either would create a duplicate, so neither is stripped.
  std::vector<WrapperStrip> unambiguousWrapperStrips(bool leading) const {
    std::vector<WrapperStrip> strips;
    std::map<std::string, std::size_t> keys_per_name;
    for (std::size_t u = 0; u < result_.checkpoint.size(); ++u) {
      if (!ckpt_claimed_.empty() && ckpt_claimed_[u]) continue;
      WrapperStrip strip;
      strip.checkpoint = u;
      strip.target = stripWrappers(ckptKey(u), &strip.removed, leading);
      ++keys_per_name[strip.target];
      if (!strip.removed.empty() && !strip.target.empty()) strips.push_back(std::move(strip));
    }
    strips.erase(std::remove_if(strips.begin(), strips.end(),
                                [&](const WrapperStrip& strip) { return keys_per_name[strip.target] > 1; }),
                 strips.end());
    return strips;
  }

  // The explanation for one removed wrapper pattern, added on first use (in key order).
  static KeyExplanation& explanationFor(std::vector<KeyExplanation>& explanations, const std::string& removed) {
    for (KeyExplanation& explanation : explanations) {
      if (explanation.from_prefix == removed) return explanation;
    }
    KeyExplanation& added = explanations.emplace_back();
    added.cause = KeyExplanation::Cause::kWrapperPrefix;
    added.from_prefix = removed;
    return added;
  }

  // Greedy: the prefix change (A -> B, either may be empty) that pairs the most keys first,
  // then again on what is left. Two changes as good as each other that move the same
  // checkpoint keys (strip `x.` or rename `x.` to `p.`) or reach the same names (strip `x.` or
  // `y.` to reach `conv.weight`) are a guess either way: neither is taken, nor any weaker
  // change of those keys or names.
  void explainPrefixes() {
    std::set<std::pair<std::string, std::string>> rejected;
    constexpr int kMaxRounds = 64;  // each round pairs keys or rejects a change; bound the rest
    for (int round = 0; round < kMaxRounds && unexpected_count_ > 0 && !missing_.empty(); ++round) {
      std::optional<std::pair<std::string, std::string>> chosen = choosePrefixChange(rejected);
      if (!chosen) return;
      if (!applyPrefixChange(chosen->first, chosen->second)) rejected.insert(*chosen);
    }
  }

  // The best change no equally good or better one contests, or nothing. Rejected changes and
  // those found ambiguous are added to `rejected`.
  std::optional<std::pair<std::string, std::string>> choosePrefixChange(
      std::set<std::pair<std::string, std::string>>& rejected) const {
    std::vector<std::pair<PrefixChange, std::size_t>> candidates;
    for (const auto& [change, count] : countPrefixVotes()) {
      if (rejected.count({std::string(change.first), std::string(change.second)}) == 0) {
        candidates.emplace_back(change, count);
      }
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
      return better(a.first, a.second, b.first, b.second);
    });
    std::unordered_set<std::string_view> contested_from;
    std::unordered_set<std::string_view> contested_to;
    for (std::size_t group = 0; group < candidates.size();) {
      std::size_t end = group;
      std::unordered_map<std::string_view, std::size_t> from_count;
      std::unordered_map<std::string_view, std::size_t> to_count;
      for (; end < candidates.size() && candidates[end].second == candidates[group].second; ++end) {
        ++from_count[candidates[end].first.first];
        ++to_count[candidates[end].first.second];
      }
      for (std::size_t i = group; i < end; ++i) {
        const auto& [from, to] = candidates[i].first;
        const bool ambiguous = from_count[from] > 1 || to_count[to] > 1 || contested_from.count(from) != 0 ||
                               contested_to.count(to) != 0;
        if (!ambiguous) return std::make_pair(std::string(from), std::string(to));
        rejected.insert({std::string(from), std::string(to)});
      }
      for (std::size_t i = group; i < end; ++i) {
        contested_from.insert(candidates[i].first.first);
        contested_to.insert(candidates[i].first.second);
      }
      group = end;
    }
    return std::nullopt;
  }

  // Pairs the keys the change explains; false when it explains none after all.
  bool applyPrefixChange(const std::string& from, const std::string& to) {
    KeyExplanation explanation;
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
    if (explanation.pairs.empty()) return false;
    result_.explanations.push_back(std::move(explanation));
    return true;
  }

  bool prefixIsConsistent(const std::string& from_prefix, const std::string& to_prefix) const {
    for (const KeyPair& pair : result_.exact) {
      if (!from_prefix.empty() && startsWith(ckptKey(pair.checkpoint), from_prefix)) return false;
      if (!to_prefix.empty() && startsWith(entry(pair.model).key, to_prefix)) return false;
    }
    return true;
  }

  static bool better(const PrefixChange& change, std::size_t votes, const PrefixChange& best, std::size_t best_votes) {
    if (votes != best_votes) return votes > best_votes;
    const std::size_t length = change.first.size() + change.second.size();
    const std::size_t best_length = best.first.size() + best.second.size();
    if (length != best_length) return length < best_length;
    return change < best;
  }

  // Views into the keys of the checkpoint and of missing_: valid until missing_ changes.
  std::unordered_map<PrefixChange, std::size_t, PrefixChangeHash> countPrefixVotes() const {
    std::unordered_map<std::string_view, std::vector<std::string_view>> prefixes_by_rest;
    for (const auto& [key, model_index] : missing_) {
      const std::size_t segments = segmentsOf(key).size();
      for (std::size_t s = 0; s < segments && s <= kMaxPrefixSegments; ++s) {
        const std::size_t cut = afterSegments(key, s);
        auto& prefixes = prefixes_by_rest[std::string_view(key).substr(cut)];
        if (prefixes.size() <= kMaxPrefixesPerRemainder) prefixes.push_back(std::string_view(key).substr(0, cut ? cut - 1 : 0));
      }
    }
    std::unordered_map<PrefixChange, std::size_t, PrefixChangeHash> votes;
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
          if (from != to) ++votes[{from, to}];
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
      for (std::size_t start : suffixStarts(key)) unexpected_by_suffix[key.substr(start)].push_back(u);
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
      const std::vector<std::size_t> starts = suffixStarts(key);
      const std::size_t segments = starts.size() + 1;
      if (auto longer = unexpected_by_suffix.find(key); longer != unexpected_by_suffix.end()) {
        for (std::size_t u : longer->second) consider(u, segments);
      }
      for (std::size_t s = 0; s < starts.size(); ++s) {
        auto shorter = unexpected_by_key.find(std::string_view(key).substr(starts[s]));
        if (shorter != unexpected_by_key.end()) consider(shorter->second, segments - s - 1);
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
    setBenignAside();
  }

  // Leftovers the user declared benign (`*.num_batches_tracked`) are neither missing nor
  // unexpected. Done last, so benign keys still take part in finding prefixes and renames.
  void setBenignAside() {
    if (context_.settings == nullptr || context_.settings->benign_keys.empty()) return;
    const std::vector<std::string>& globs = context_.settings->benign_keys;
    auto split = [&](std::vector<std::size_t>& indices, std::vector<std::size_t>& benign, auto key_of) {
      auto benign_start = std::stable_partition(indices.begin(), indices.end(),
                                                [&](std::size_t i) { return !anyGlobMatches(globs, key_of(i)); });
      benign.assign(benign_start, indices.end());
      indices.erase(benign_start, indices.end());
    };
    split(result_.missing, result_.benign_missing, [&](std::size_t m) -> const std::string& { return entry(m).key; });
    split(result_.unexpected, result_.benign_unexpected, [&](std::size_t u) -> const std::string& { return ckptKey(u); });
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
    bool all_wrapped = true;  // of the keys no configured rename took
    for (std::size_t u = 0; u < tensors.size() && all_wrapped; ++u) {
      if (ckpt_claimed_[u]) continue;
      const std::string_view first = segmentsOf(stateDictKey(*tensors[u])).front();
      all_wrapped = first == "module" || first == "_forward_module" || first == "_orig_mod";
    }
    for (WrapperStrip& strip : unambiguousWrapperStrips(all_wrapped)) {
      KeyExplanation& explanation = explanationFor(result_.explanations, strip.removed);
      explanation.keys_without_model.push_back(strip.checkpoint);
      explanation.renamed_to.push_back(std::move(strip.target));
    }
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
