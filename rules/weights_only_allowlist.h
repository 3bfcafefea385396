// Which pickle globals torch.load(weights_only=True) accepts by default, and which globals are
// benign but refused (CKL302). Data in one place; the sources are named in the .cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ckptlint::rules {

/// Whether "module.name" is on PyTorch's default weights_only allowlist.
bool isWeightsOnlyAllowed(std::string_view dotted);

/// Modules torch.load never allows, even when a user allowlists their globals.
bool isBlocklistedModule(std::string_view module);

/// The built-in CKL302 list: "module.name" entries, and "package.*" entries that name the
/// classes (capitalised names) of a package and its submodules, never its functions.
const std::vector<std::string>& defaultBenignGlobals();

/// Whether `pattern` (an entry of a global list, see defaultBenignGlobals) names module.name.
bool matchesGlobalPattern(std::string_view pattern, std::string_view module, std::string_view name);

}  // namespace ckptlint::rules
