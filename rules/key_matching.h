// Key matching: pairs the checked state dict's keys with the model's, and explains the
// difference by root causes (configured renames, wrapper prefixes, other prefixes, renamed
// submodules, dotted suffixes) before anything is called missing or unexpected. The key rules
// (CKL101-106, CKL201, CKL202) each report one part of this one analysis, so a key is never
// reported twice.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "linter/core/finding.h"
#include "linter/core/rule.h"

namespace ckptlint::rules {

struct KeyPair {
  std::size_t checkpoint = 0;  // index into KeyMatching::checkpoint
  std::size_t model = 0;       // index into the model's entries
};

/// One root cause: a family of renames that makes checkpoint keys match model keys.
struct KeyExplanation {
  enum class Cause { kWrapperPrefix, kStripPrefix, kAddPrefix, kRenamedModule, kDottedSuffix, kConfiguredRename };
  Cause cause = Cause::kWrapperPrefix;
  std::string from_prefix;     // removed from checkpoint keys ("module.", "model.", "head.")
  std::string to_prefix;       // put in its place ("", "net.", "keypoint_head.")
  std::vector<KeyPair> pairs;  // checkpoint key -> model key, in checkpoint order
  std::vector<std::string> renamed_to;  // without a model: the new key of each entry of `keys_without_model`
  std::vector<std::size_t> keys_without_model;  // checkpoint indices (no-model wrapper case)
  std::size_t missing_before = 0;  // missing keys there were when this cause was found
};

/// Keys longer than this are not given to the rename rules: std::regex recurses per character,
/// so a hostile checkpoint's 20,000-character key would overflow the stack. Real keys are far
/// shorter.
inline constexpr std::size_t kMaxRenamedKeyLength = 1024;

/// A configured rename (RuleSettings::key_renames) that is not made: it would give two keys one
/// name, or an empty one, or the key (or its new name) is longer than kMaxRenamedKeyLength, or
/// the new name is not UTF-8 (std::regex works on bytes: `^.` takes half of an 'é').
struct RefusedRename {
  enum class Reason { kOntoExistingKey, kSeveralOntoOne, kEmptyKey, kTooLong, kNotUtf8 };
  Reason reason = Reason::kOntoExistingKey;
  std::size_t checkpoint = 0;  // index into KeyMatching::checkpoint
  std::string target;
};

struct KeyMatching {
  std::vector<const TensorInfo*> checkpoint;  // the checked state dict, in order
  std::vector<KeyPair> exact;                 // same key on both sides
  std::vector<KeyExplanation> explanations;
  std::vector<std::size_t> missing;     // model entries left unexplained, model order
  std::vector<std::size_t> unexpected;  // checkpoint keys left unexplained, checkpoint order
  /// Model entries torch fills in itself (BatchNorm num_batches_tracked with an old or absent
  /// `_metadata` version), so they are not missing.
  std::vector<std::size_t> filled_by_torch;
  /// Configured renames that are not made (the keys go on under their own names).
  std::vector<RefusedRename> refused_renames;
  /// Model entries and checkpoint keys left unexplained that match a configured benign-key glob:
  /// reported neither missing nor unexpected.
  std::vector<std::size_t> benign_missing;
  std::vector<std::size_t> benign_unexpected;

  /// Every pairing: exact ones and those through an explanation.
  std::vector<KeyPair> allPairs() const;
};

/// Computed once per check and shared by the key rules through the context's cache.
const KeyMatching& keyMatching(const CheckContext& context);

/// The checkpoint key of a tensor of the checked state dict, the model key of an entry.
const std::string& checkpointKey(const KeyMatching& matching, std::size_t index);

/// "{from}{rest}" -> "{to}{rest}" edits of an explanation, in checkpoint order.
std::vector<Edit> renameEdits(const KeyMatching& matching, const KeyExplanation& explanation,
                              const ModelSpec* model);

}  // namespace ckptlint::rules
