// Small pieces the rules share when they word their findings.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "linter/core/finding.h"

namespace ckptlint::rules {

/// "[64, 3, 7, 7]", "[]" for a scalar.
std::string shapeText(const std::vector<int64_t>& shape);

/// "1 key", "320 keys".
std::string countText(std::size_t count, std::string_view singular, std::string_view plural);

/// Sets the finding's keys and, as its primary key, the first of them.
void coverKeys(Finding& finding, std::vector<std::string> keys);

/// "under 'layer1'", or "at the top level" for the module "" of groupByTopModule.
std::string moduleWhere(const std::string& module);

/// Keys grouped by their first dotted segment ("layer1", or "" for top-level keys), in
/// order of first appearance.
std::vector<std::pair<std::string, std::vector<std::string>>> groupByTopModule(const std::vector<std::string>& keys);

}  // namespace ckptlint::rules
