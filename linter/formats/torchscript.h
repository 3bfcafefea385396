// TorchScript archives (torch.jit.save) read as snapshots, statically: data.pkl's tree of
// `__torch__.…` module objects, whose BUILD state holds every attribute, and the class sources
// under code/ that say which tensor attributes are parameters and which are buffers
// (torch-format.md §7.2, §7.3). No LibTorch, nothing run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/result.h"
#include "linter/formats/object_walk.h"
#include "linter/pickle/value.h"

namespace ckptlint::formats {

/// What a class's source under code/ declares.
struct ScriptClass {
  bool is_module = false;               // `class Name(Module):`
  std::vector<std::string> parameters;  // __parameters__ = ["weight", "bias", ]
  std::vector<std::string> buffers;     // __buffers__ = ["running_mean", ...]
};

/// Finds `class <name>` in one code/ source and reads its declarations; nullopt when the source
/// has no such class.
std::optional<ScriptClass> parseScriptClass(std::string_view source, std::string_view name);

/// Reads a record of the archive by its name under the root ("code/__torch__/foo.py"):
/// nullopt when there is no such record.
using ArchiveTextReader = std::function<Result<std::optional<std::string>>(const std::string& name)>;

/// The module tree from data.pkl's root object, as `torch.jit.load(f).state_dict()` lists it:
/// per module its parameters, then its buffers (attribute order), then its submodules; keys are
/// dotted module paths ("layer1.0.conv1.weight"). One state dict at the root path holds them.
/// Tensor attributes that are neither (plain attributes, not in state_dict()) follow, outside
/// the state dict. Non-persistent buffers are not marked in the archive, and torch.jit.load's
/// state_dict() lists them like the others; so does this.
Result<ObjectContents> readScriptModules(const pickle::Value& root, const ArchiveTextReader& read_text,
                                         const WalkLimits& limits = {});

}  // namespace ckptlint::formats
