// CKL106: the user's rename rules (config `rename = REGEX -> REPLACEMENT`, --rename; mmengine's
// revise_keys) rename checkpoint keys. The renames are a fix marked unsafe (the user's regex
// decides them); renames that would give two keys one name are refused and said so.
#include "rules/all_rules.h"
#include "rules/explanation_finding.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

std::string ruleList(const std::vector<KeyRenameRule>& rules) {
  std::string list;
  for (const KeyRenameRule& rule : rules) list += (list.empty() ? "'" : ", '") + rule.text + "'";
  return list;
}

std::string refusalText(RefusedRename::Reason reason) {
  switch (reason) {
    case RefusedRename::Reason::kOntoExistingKey: return "the checkpoint already has a key of that name";
    case RefusedRename::Reason::kSeveralOntoOne: return "several keys would get that one name";
    case RefusedRename::Reason::kEmptyKey: return "the new key would be empty";
    case RefusedRename::Reason::kTooLong:
      return "the key or its new name is longer than " + std::to_string(kMaxRenamedKeyLength) + " characters";
    case RefusedRename::Reason::kNotUtf8:
      return "the new key would not be valid UTF-8: the regex works on bytes, so match whole characters";
  }
  return {};
}

// A key as a message shows it: a hostile checkpoint's 300,000-character key is cut short.
std::string shortened(const std::string& key) {
  constexpr std::size_t kShown = 80;
  if (key.size() <= kShown) return key;
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return key.substr(0, cut) + "... (" + std::to_string(key.size()) + " characters)";
}

void reportRefusals(const KeyMatching& matching, FindingSink& sink) {
  for (RefusedRename::Reason reason : {RefusedRename::Reason::kOntoExistingKey, RefusedRename::Reason::kSeveralOntoOne,
                                       RefusedRename::Reason::kEmptyKey, RefusedRename::Reason::kTooLong,
                                       RefusedRename::Reason::kNotUtf8}) {
    std::vector<std::string> keys;
    std::string examples;
    for (const RefusedRename& refused : matching.refused_renames) {
      if (refused.reason != reason) continue;
      const std::string& key = checkpointKey(matching, refused.checkpoint);
      if (keys.size() < 3) {
        examples += (examples.empty() ? "'" : ", '") + shortened(key) + "'";
        // Only refusals about the new name show it (a too long or broken name is not shown).
        if (reason != RefusedRename::Reason::kTooLong && reason != RefusedRename::Reason::kNotUtf8) {
          examples += " -> '" + refused.target + "'";
        }
      }
      keys.push_back(key);
    }
    if (keys.empty()) continue;
    Finding& finding = sink.add("configured renames of " + countText(keys.size(), "key", "keys") + " not made (" +
                                std::string(refusalText(reason)) + "): " + examples +
                                (keys.size() > 3 ? ", ..." : "") + "; the keys keep their names");
    finding.level = Level::kWarning;  // the configuration asks for what cannot be done; no fix
    coverKeys(finding, std::move(keys));
  }
}

void check(const CheckContext& context, FindingSink& sink) {
  if (context.settings == nullptr || context.settings->key_renames.empty()) return;
  const KeyMatching& matching = keyMatching(context);
  for (const KeyExplanation& explanation : matching.explanations) {
    if (explanation.cause != KeyExplanation::Cause::kConfiguredRename) continue;
    reportExplanation(context, sink, explanation,
                      "the configured rename rules " + ruleList(context.settings->key_renames) + " apply; renaming " +
                          resolutionText(explanation),
                      "rename keys by the configured rules", Applicability::kUnsafe);
  }
  reportRefusals(matching, sink);
}

}  // namespace

Rule configuredRenameRule() {
  return defineRule("CKL106", "configured-rename", Level::kError,
                    "the configured rename rules (rename = REGEX -> REPLACEMENT) rename checkpoint keys", check);
}

}  // namespace ckptlint::rules
