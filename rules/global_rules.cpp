// CKL301 unsafe-global and CKL302 weights-only-incompatible: every global any pickle of the
// file references (data.pkl, pickles after its STOP, other pickle records) is judged against
// PyTorch's weights_only allowlist. Allowed: nothing to say. On the short benign list: CKL302.
// Anything else — and any STACK_GLOBAL whose operands ckptlint cannot resolve — is CKL301:
// an allowlist fails closed where denylists keep being bypassed.
#include <map>
#include <utility>

#include "linter/core/text.h"
#include "rules/all_rules.h"
#include "rules/rule_helpers.h"
#include "rules/weights_only_allowlist.h"

namespace ckptlint::rules {
namespace {

enum class Verdict { kAllowed, kBenign, kUnsafe };

bool matchesAny(const std::vector<std::string>& patterns, const GlobalReference& global) {
  for (const std::string& pattern : patterns) {
    if (matchesGlobalPattern(pattern, global.module, global.name)) return true;
  }
  return false;
}

// LibTorch's unpickler reads a TorchScript archive's data.pkl, constants.pkl and code/'s
// .debug_pkl records (torch.load hands such files to torch.jit.load): it resolves __torch__ classes to the archive's own
// TorchScript classes and runs the torch.jit._pickle helpers itself; it imports nothing.
bool isTorchScriptName(const Checkpoint& checkpoint, const GlobalReference& global) {
  const bool read_by_libtorch = global.record == "data.pkl" || global.record == "constants.pkl" ||
                                (startsWith(global.record, "code/") && endsWith(global.record, ".debug_pkl"));
  if (checkpoint.format != "torchscript" || !read_by_libtorch) return false;
  return global.module == "__torch__" || startsWith(global.module, "__torch__.") ||
         global.module == "torch.jit._pickle";
}

Verdict judge(const GlobalReference& global, const RuleSettings* settings) {
  if (!global.resolved) return Verdict::kUnsafe;
  if (isBlocklistedModule(global.module)) return Verdict::kUnsafe;
  if (isWeightsOnlyAllowed(global.dotted())) return Verdict::kAllowed;
  if (settings != nullptr && matchesAny(settings->safe_globals, global)) return Verdict::kAllowed;
  if (matchesAny(defaultBenignGlobals(), global)) return Verdict::kBenign;
  if (settings != nullptr && matchesAny(settings->benign_globals, global)) return Verdict::kBenign;
  return Verdict::kUnsafe;
}

// All references to one global, in file order.
struct GlobalUse {
  const GlobalReference* first = nullptr;
  std::size_t count = 0;
};

// One entry per distinct global (or per unresolved STACK_GLOBAL, which has no name to group
// by), in order of first reference.
std::vector<GlobalUse> usesWithVerdict(const CheckContext& context, Verdict wanted) {
  std::vector<GlobalUse> uses;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const GlobalReference& global : context.checkpoint.globals) {
    if (isTorchScriptName(context.checkpoint, global)) continue;
    if (judge(global, context.settings) != wanted) continue;
    if (!global.resolved) {
      uses.push_back({&global, 1});
      continue;
    }
    auto [slot, inserted] = index.emplace(std::make_pair(global.module, global.name), uses.size());
    if (inserted) uses.push_back({&global, 0});
    ++uses[slot->second].count;
  }
  return uses;
}

std::string whereText(const GlobalUse& use) {
  std::string text = use.first->record + " offset " + std::to_string(use.first->offset);
  if (use.count > 1) text += ", " + countText(use.count, "reference", "references") + " in all";
  return text;
}

// The opcode's place in the file, when its record is stored (not deflated).
std::optional<ByteRange> fileBytes(const Checkpoint& checkpoint, const GlobalReference& global) {
  for (const ArchiveRecord& record : checkpoint.records) {
    if (record.name == global.record && record.method == 0 && global.offset < record.size) {
      return ByteRange{record.data_offset + global.offset, 1};
    }
  }
  return std::nullopt;
}

void checkUnsafe(const CheckContext& context, FindingSink& sink) {
  for (const GlobalUse& use : usesWithVerdict(context, Verdict::kUnsafe)) {
    const GlobalReference& global = *use.first;
    std::string message;
    if (!global.resolved) {
      message = "a STACK_GLOBAL (" + whereText(use) + ") takes its module or name from a value that is not a "
                "plain string (" + global.module + ", " + global.name + "): what it imports cannot be known "
                "without running the pickle";
    } else {
      message = "the pickle references " + global.dotted() + " (" + whereText(use) +
                "), which is not on PyTorch's weights-only allowlist";
      if (isBlocklistedModule(global.module)) message += " and reaches the operating system";
      message += ": unpickling it with torch.load(weights_only=False) can run arbitrary code";
    }
    Finding& finding = sink.addForFile(std::move(message));
    finding.bytes = fileBytes(context.checkpoint, global);
  }
}

void checkIncompatible(const CheckContext& context, FindingSink& sink) {
  for (const GlobalUse& use : usesWithVerdict(context, Verdict::kBenign)) {
    const GlobalReference& global = *use.first;
    Finding& finding = sink.addForFile(
        "the pickle references " + global.dotted() + " (" + whereText(use) +
        "), which torch.load(weights_only=True) — the default since PyTorch 2.6 — refuses; if you trust the "
        "file, allowlist it with torch.serialization.add_safe_globals, or save plain Python types instead");
    finding.bytes = fileBytes(context.checkpoint, global);
  }
}

}  // namespace

Rule unsafeGlobalRule() {
  return defineRule("CKL301", "unsafe-global", Level::kError,
                    "a pickle references a global outside the weights-only allowlist; loading it may run code",
                    checkUnsafe);
}

Rule weightsOnlyIncompatibleRule() {
  return defineRule("CKL302", "weights-only-incompatible", Level::kWarning,
                    "a benign global that torch.load(weights_only=True) refuses (numpy scalar, Namespace, ...)",
                    checkIncompatible);
}

}  // namespace ckptlint::rules
