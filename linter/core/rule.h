// Rule: a named check over one checkpoint (and, for some rules, a model definition).
// Rules are listed in one registry (rules/registry.cpp); its order is SARIF's ruleIndex.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/finding.h"
#include "linter/core/key_settings.h"
#include "linter/core/model_spec.h"
#include "linter/core/tensor_bytes.h"

namespace ckptlint {

struct RuleInfo {
  std::string_view id;        // "CKL101", stable, never reused
  std::string_view name;      // "missing-key", kebab-case
  Level default_level = Level::kError;
  std::string_view summary;   // one line
  std::string_view doc;       // the rule's page (docs/rules/ID.md), markdown
  bool needs_model = false;   // runs only with --model
  bool needs_values = false;  // reads tensor bytes (only with --check-values)
};

/// Which state dict of the checkpoint is checked, and why.
struct StateDictChoice {
  const StateDict* chosen = nullptr;           // null: none found, or none could be chosen
  std::vector<const StateDict*> other_candidates;
  std::string problem;                         // why nothing was chosen, or what was passed over
  /// Several equally likely candidates (not a model's weights beside its EMA copy): a guess.
  bool ambiguous = false;
};

/// Results of analyses several rules share (e.g. matching checkpoint keys to model keys),
/// computed on first use and kept for the rest of one file's check.
class AnalysisCache {
 public:
  template <typename T, typename Make>
  const T& get(Make make) {
    std::shared_ptr<void>& slot = slots_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>(make());
    return *static_cast<const T*>(slot.get());
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> slots_;
};

/// What users configure about rules (command line or config file); defaults when absent.
struct RuleSettings {
  /// Globals the user trusts ("module.name"), as torch.serialization.add_safe_globals would
  /// make them: CKL301/CKL302 do not report them (modules os, sys, posix, nt stay unsafe).
  std::vector<std::string> safe_globals;
  /// Further benign globals: CKL302 instead of CKL301. "package.*" names the package's classes.
  std::vector<std::string> benign_globals;
  /// Globs of keys that are not reported missing or unexpected (CKL101/CKL102).
  std::vector<std::string> benign_keys;
  /// User rename rules for the checked state dict's keys (CKL106), in order.
  std::vector<KeyRenameRule> key_renames;
};

struct CheckContext {
  const Checkpoint& checkpoint;
  const StateDictChoice& state_dict;
  const ModelSpec* model = nullptr;  // null without --model
  AnalysisCache& cache;
  const RuleSettings* settings = nullptr;  // null: defaults
  const TensorBytes* tensor_bytes = nullptr;  // storage bytes; set only with --check-values
};

/// Collects one rule's findings, filling in what every finding of it shares.
class FindingSink {
 public:
  FindingSink(const RuleInfo& rule, const CheckContext& context, std::vector<Finding>& out)
      : rule_(rule), context_(context), out_(out) {}
  /// A finding at the rule's default level, located in the checked state dict (if any).
  Finding& add(std::string message);
  /// A finding about the file as a whole (its pickles, its archive, all its tensors).
  Finding& addForFile(std::string message);

 private:
  const RuleInfo& rule_;
  const CheckContext& context_;
  std::vector<Finding>& out_;
};

using CheckFunction = void (*)(const CheckContext& context, FindingSink& sink);

struct Rule {
  RuleInfo info;
  CheckFunction check = nullptr;
};

/// What a rule needs beyond the checkpoint itself.
enum class RuleNeeds { kCheckpoint, kModel, kValues };

/// One rule's registry entry; `check` may be null for a rule whose findings come from elsewhere
/// (CKL001: the reader's error).
Rule defineRule(std::string_view id, std::string_view name, Level level, std::string_view summary,
                CheckFunction check, RuleNeeds needs = RuleNeeds::kCheckpoint);

/// The key a tensor has in its state dict (the last element of its path).
std::string_view stateDictKey(const TensorInfo& tensor);

}  // namespace ckptlint
