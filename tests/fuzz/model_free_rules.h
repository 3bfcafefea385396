// What every format harness does with a checkpoint it managed to read: run each rule that needs
// no model over it, as `ckptlint check FILE` would.
#pragma once

#include <optional>

#include "linter/core/engine.h"
#include "rules/registry.h"

namespace ckptlint::fuzz {

inline void runModelFreeRules(const Checkpoint& checkpoint) {
  const StateDictChoice choice = chooseStateDict(checkpoint, std::nullopt);
  AnalysisCache cache;
  const CheckContext context{checkpoint, choice, nullptr, cache};
  (void)runRules(rules::allRules(), context, EngineOptions{});
}

}  // namespace ckptlint::fuzz
