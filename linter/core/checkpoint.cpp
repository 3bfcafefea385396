#include "linter/core/checkpoint.h"

#include <unordered_set>

namespace ckptlint {

std::vector<std::string> Checkpoint::distinctGlobals() const {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  for (const GlobalReference& reference : globals) {
    std::string dotted = reference.dotted();
    if (seen.insert(dotted).second) names.push_back(std::move(dotted));
  }
  return names;
}

}  // namespace ckptlint
