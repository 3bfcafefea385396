#include "linter/formats/optimizer_state.h"

namespace ckptlint::formats {

bool isOptimizerState(const Entries& entries) {
  return lookup(entries, "state") != nullptr && lookup(entries, "param_groups") != nullptr;
}

OptimizerState readOptimizerState(const Entries& entries, const ObjectPath& path,
                                  const std::function<std::optional<std::size_t>(const pickle::Value*)>& tensor_index) {
  OptimizerState optimizer;
  optimizer.path = path;
  auto note = [&](std::string problem) {
    if (optimizer.problem.empty()) optimizer.problem = std::move(problem);
  };
  const Entries* groups_as_mapping = asMapping(*lookup(entries, "param_groups"));
  const pickle::ValueList* groups = groups_as_mapping == nullptr ? asSequence(*lookup(entries, "param_groups")) : nullptr;
  if (groups == nullptr) {
    note("'param_groups' is not a list");
  } else {
    for (const pickle::Value* group : *groups) {
      const Entries* members = asMapping(*group);
      const pickle::Value* params = members != nullptr ? lookup(*members, "params") : nullptr;
      const pickle::ValueList* ids = params != nullptr ? asSequence(*params) : nullptr;
      std::vector<int64_t>& out = optimizer.param_groups.emplace_back();
      if (ids == nullptr) {
        note("a parameter group has no 'params' list");
        continue;
      }
      for (const pickle::Value* id : *ids) {
        if (id->isInt()) {
          out.push_back(id->integer);
        } else {
          note("a parameter group lists a parameter that is not an integer id");
        }
      }
    }
  }
  const Entries* state = asMapping(*lookup(entries, "state"));
  if (state == nullptr) {
    note("'state' is not a mapping");
    return optimizer;
  }
  for (const auto& [id, per_parameter] : *state) {
    if (!id->isInt()) {
      note("'state' has a key that is not an integer parameter id");
      continue;
    }
    OptimizerState::ParamState& param = optimizer.state.emplace_back();
    param.param_id = id->integer;
    const Entries* members = asMapping(*per_parameter);
    if (members == nullptr) continue;
    for (const auto& [name, value] : *members) {
      std::optional<std::size_t> index = name->isString() ? tensor_index(value) : std::nullopt;
      if (index) param.tensors.emplace_back(name->text, *index);
    }
  }
  return optimizer;
}

}  // namespace ckptlint::formats
