// Short, exact summaries of many state-dict keys for messages:
// {layer1.0.conv1.weight, layer2.0.conv1.weight, ...} -> "layer{1..4}.0.conv1.weight".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ckptlint::rules {

/// Collapses keys that differ in one number or name into brace patterns (numbers in runs as
/// {a..b}), exactly: every pattern expands to keys of the input and nothing else. At most
/// `max_patterns` patterns are shown, then "and N more".
std::string summarizeKeys(const std::vector<std::string>& keys, std::size_t max_patterns = 6);

}  // namespace ckptlint::rules
