// CKL103: keys carry the attribute a training wrapper adds (DataParallel/DDP `module.`,
// torch.compile `_orig_mod.`, FSDP/Lightning `_forward_module.`). Works without a model when
// every key is wrapped.
#include "rules/all_rules.h"
#include "rules/explanation_finding.h"

namespace ckptlint::rules {

namespace {

std::string wrapperOrigin(const std::string& removed) {
  std::string origins;
  auto add = [&](std::string_view segment, std::string_view origin) {
    if (removed.find(segment) == std::string::npos) return;
    if (!origins.empty()) origins += ", ";
    origins += origin;
  };
  add("_forward_module.", "FSDP/Lightning");
  if (removed.rfind("module.", 0) == 0) add("module.", "DataParallel/DistributedDataParallel");
  add("_orig_mod.", "torch.compile");
  return origins;
}

void check(const CheckContext& context, FindingSink& sink) {
  for (const KeyExplanation& explanation : keyMatching(context).explanations) {
    if (explanation.cause != KeyExplanation::Cause::kWrapperPrefix) continue;
    const std::string& removed = explanation.from_prefix;
    std::string message = "keys carry the wrapper prefix '" + removed + "' (" + wrapperOrigin(removed) + "); ";
    message += context.model != nullptr ? "stripping it " + resolutionText(explanation)
                                        : "stripping it gives the keys of the unwrapped model (" +
                                              resolutionText(explanation) + ")";
    reportExplanation(context, sink, explanation, std::move(message), "strip '" + removed + "' (whole segments)",
                      Applicability::kSafe);
  }
}

}  // namespace

Rule wrapperPrefixRule() {
  return defineRule("CKL103", "wrapper-prefix", Level::kError,
                    "keys carry a wrapper prefix (module., _orig_mod., _forward_module.), also stacked or inside keys",
                    check);
}

}  // namespace ckptlint::rules
