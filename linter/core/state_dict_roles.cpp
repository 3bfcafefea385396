#include "linter/core/state_dict_roles.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <variant>

namespace ckptlint {

StateDictRole stateDictRole(const ObjectPath& path) {
  static constexpr std::array<std::string_view, 6> kModelKeys = {"model", "state_dict", "model_state_dict",
                                                                 "module", "net", "pose"};
  static constexpr std::array<std::string_view, 4> kAlternateKeys = {"ema", "state_dict_ema", "model_ema",
                                                                     "detector"};
  if (path.empty()) return StateDictRole::kRoot;
  const auto* key = std::get_if<std::string>(&path.back());
  if (key == nullptr) return StateDictRole::kOther;
  auto has = [&](const auto& keys) { return std::find(keys.begin(), keys.end(), *key) != keys.end(); };
  if (has(kModelKeys)) return StateDictRole::kModel;
  if (has(kAlternateKeys)) return StateDictRole::kAlternate;
  return StateDictRole::kOther;
}

const char* roleName(StateDictRole role) {
  switch (role) {
    case StateDictRole::kRoot: return "root";
    case StateDictRole::kModel: return "model";
    case StateDictRole::kAlternate: return "alternate";
    case StateDictRole::kOther: return "other";
  }
  return "other";
}

}  // namespace ckptlint
