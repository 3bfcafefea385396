// CKL501: an optimizer state that does not fit the parameters it would be loaded for: the
// classic "resumed with a different model". torch's Optimizer.load_state_dict pairs saved ids
// with the new parameters by position (group after group) and raises only when a group's
// size differs; per-parameter state of another shape loads and breaks the next step().
//
// The parameters: with --model, the definition's parameter entries in order (the order of
// model.parameters()); without, the checked state dict's tensors minus the BatchNorm buffers
// recognised by name — the model the snapshot was saved with.
//
// Saved ids pair with parameters by position only when the optimizer was built on
// model.parameters() in order. With several parameter groups (weight decay for weights, none
// for biases and norms, as HF Trainer and timm build them) the order is the groups', which
// the checkpoint does not record: then only a state no parameter could take is reported. An
// optimizer state that fits another state dict of the file and not the checked one (a GAN's
// discriminator optimizer) belongs to that network and is not compared.
#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "rules/all_rules.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

struct Parameter {
  std::string key;
  std::vector<int64_t> shape;
};

struct Parameters {
  std::vector<Parameter> list;
  std::string source;  // "the model", "the state dict 'model'"
  bool guessed = false;  // buffers recognised by name only
};

// The state dict's tensors that look like parameters (BatchNorm buffers excluded by name).
Parameters parametersOf(const StateDict& state_dict, const Checkpoint& checkpoint) {
  Parameters parameters;
  parameters.source = "the state dict " + displayPath(state_dict.path);
  parameters.guessed = true;
  for (std::size_t index : state_dict.tensors) {
    const TensorInfo& tensor = checkpoint.tensors[index];
    const std::string key(stateDictKey(tensor));
    if (tensor.is_parameter || guessKindFromKey(key) == ModelEntry::Kind::kParameter) {
      parameters.list.push_back({key, tensor.shape});
    }
  }
  return parameters;
}

std::optional<Parameters> parametersToCompare(const CheckContext& context) {
  if (context.model != nullptr) {
    Parameters parameters;
    parameters.source = "the model";
    parameters.guessed = context.model->source_kind == "checkpoint";
    for (const ModelEntry& entry : context.model->entries) {
      if (entry.kind == ModelEntry::Kind::kParameter) parameters.list.push_back({entry.key, entry.shape});
    }
    return parameters;
  }
  if (context.state_dict.chosen == nullptr) return std::nullopt;
  return parametersOf(*context.state_dict.chosen, context.checkpoint);
}

// State torch.optim keeps with the parameter's own shape (Adam/AdamW/Adamax/NAdam/RAdam,
// SGD, RMSprop, Adagrad, Adadelta, ASGD, Rprop). Others (step, Adafactor's row/column
// factors) have shapes of their own and are not compared.
bool isParameterShaped(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "square_avg", "grad_avg",
      "acc_delta", "sum", "ax", "prev", "step_size", "exp_inf"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

std::vector<int64_t> savedIds(const OptimizerState& optimizer) {
  std::vector<int64_t> ids;
  for (const std::vector<int64_t>& group : optimizer.param_groups) ids.insert(ids.end(), group.begin(), group.end());
  return ids;
}

// The shape each parameter's state says its parameter has (its parameter-shaped tensors:
// exp_avg, momentum_buffer, ...), by saved id, in the file's order; ids without such state
// are left out. A state whose tensors disagree among themselves fits no parameter: nullopt.
std::vector<std::pair<int64_t, std::optional<std::vector<int64_t>>>> stateShapes(const OptimizerState& optimizer,
                                                                                  const Checkpoint& checkpoint) {
  std::vector<std::pair<int64_t, std::optional<std::vector<int64_t>>>> shapes;
  for (const OptimizerState::ParamState& state : optimizer.state) {
    std::optional<std::vector<int64_t>> shape;
    bool any = false;
    for (const auto& [name, index] : state.tensors) {
      if (!isParameterShaped(name)) continue;
      const std::vector<int64_t>& tensor_shape = checkpoint.tensors[index].shape;
      if (!any) shape = tensor_shape;
      else if (shape && *shape != tensor_shape) shape.reset();
      any = true;
    }
    if (any) shapes.emplace_back(state.param_id, std::move(shape));
  }
  return shapes;
}

// The saved ids whose state no parameter can take, whatever order the optimizer was built in:
// each parameter takes at most one state of its own shape.
std::vector<int64_t> unpairableStates(const OptimizerState& optimizer, const Parameters& parameters,
                                      const Checkpoint& checkpoint) {
  std::map<std::vector<int64_t>, std::size_t> free_parameters;  // shape -> parameters left
  for (const Parameter& parameter : parameters.list) ++free_parameters[parameter.shape];
  std::vector<int64_t> ids = savedIds(optimizer);
  std::sort(ids.begin(), ids.end());
  std::vector<int64_t> unpairable;
  for (const auto& [id, shape] : stateShapes(optimizer, checkpoint)) {
    if (!std::binary_search(ids.begin(), ids.end(), id)) continue;  // torch keeps such entries, unused
    auto free = shape ? free_parameters.find(*shape) : free_parameters.end();
    if (free == free_parameters.end() || free->second == 0) {
      unpairable.push_back(id);
    } else {
      --free->second;
    }
  }
  return unpairable;
}

// Whether some order of the parameters takes this optimizer state: as many ids as parameters,
// and every state of a shape a parameter has.
bool fitsSomeOrder(const OptimizerState& optimizer, const Parameters& parameters, const Checkpoint& checkpoint) {
  return optimizer.problem.empty() && savedIds(optimizer).size() == parameters.list.size() &&
         unpairableStates(optimizer, parameters, checkpoint).empty();
}

// An optimizer state that does not fit the checked state dict but fits another one of the file
// is that network's optimizer (a GAN's generator and discriminator, each with its own).
bool belongsToAnotherStateDict(const OptimizerState& optimizer, const CheckContext& context) {
  const StateDict* chosen = context.state_dict.chosen;
  if (chosen != nullptr && fitsSomeOrder(optimizer, parametersOf(*chosen, context.checkpoint), context.checkpoint)) {
    return false;
  }
  for (const StateDict& other : context.checkpoint.state_dicts) {
    if (&other == chosen) continue;
    if (fitsSomeOrder(optimizer, parametersOf(other, context.checkpoint), context.checkpoint)) return true;
  }
  return false;
}

void checkOne(const OptimizerState& optimizer, const Parameters& parameters, const CheckContext& context,
              FindingSink& sink) {
  const std::string where = "the optimizer state at " + displayPath(optimizer.path);
  auto locate = [&](Finding& finding) { finding.state_dict = optimizer.path; };
  if (!optimizer.problem.empty()) {
    Finding& finding = sink.addForFile(where + " was not compared with the parameters: " + optimizer.problem);
    finding.level = Level::kNote;
    locate(finding);
    return;
  }
  if (belongsToAnotherStateDict(optimizer, context)) return;
  const std::vector<int64_t> ids = savedIds(optimizer);
  if (ids.size() != parameters.list.size()) {
    // More ids than parameters is certain. Fewer may be an optimizer built on a subset (frozen
    // layers), or buffers and tied weights the parameter list cannot tell apart: said less loudly.
    const bool fewer = ids.size() < parameters.list.size();
    Finding& finding = sink.addForFile(
        where + " is for " + countText(ids.size(), "parameter", "parameters") + " (" +
        countText(optimizer.param_groups.size(), "group", "groups") + "), " + parameters.source + " has " +
        countText(parameters.list.size(), "parameter", "parameters") +
        (parameters.guessed ? " (BatchNorm buffers excluded by name)" : "") +
        "; optimizer.load_state_dict raises \"loaded state dict contains a parameter group that doesn't match "
        "the size of optimizer's group\" for an optimizer built on these parameters" +
        (fewer ? " (fine if it is built on the same subset, e.g. with frozen layers left out)"
               : "; do not resume this optimizer state with this model"));
    if (fewer) finding.level = parameters.guessed ? Level::kNote : Level::kWarning;
    locate(finding);
    return;
  }
  if (optimizer.param_groups.size() > 1) {
    // The groups' order is not the model's: only states no parameter can take are certain.
    const std::vector<int64_t> unpairable = unpairableStates(optimizer, parameters, context.checkpoint);
    if (unpairable.empty()) return;
    std::string listed;
    for (std::size_t i = 0; i < unpairable.size() && i < 5; ++i) listed += (i == 0 ? "" : ", ") + std::to_string(unpairable[i]);
    if (unpairable.size() > 5) listed += ", ...";
    Finding& finding = sink.addForFile(
        where + " (" + countText(optimizer.param_groups.size(), "group", "groups") + "): the state of " +
        countText(unpairable.size(), "parameter", "parameters") + " (" + listed + ") has a shape that no parameter of " +
        parameters.source + " left to pair with has, in whatever order the groups list them; "
        "optimizer.load_state_dict accepts it, and the next optimizer.step() fails with a size mismatch "
        "(or, where the shapes broadcast, trains with wrong moments)");
    locate(finding);
    return;
  }
  // torch.optim.Optimizer.load_state_dict builds {saved id: parameter} with a dict
  // comprehension: an id listed twice goes with its last position.
  std::unordered_map<int64_t, std::size_t> position;  // saved id -> parameter position
  for (std::size_t i = 0; i < ids.size(); ++i) position[ids[i]] = i;
  for (const OptimizerState::ParamState& state : optimizer.state) {
    auto found = position.find(state.param_id);
    if (found == position.end()) continue;  // torch keeps such entries as they are, unused
    const Parameter& parameter = parameters.list[found->second];
    std::vector<std::string> mismatches;
    for (const auto& [name, index] : state.tensors) {
      const TensorInfo& tensor = context.checkpoint.tensors[index];
      if (!isParameterShaped(name) || tensor.shape == parameter.shape) continue;
      mismatches.push_back("'" + name + "' " + shapeText(tensor.shape));
    }
    if (mismatches.empty()) continue;
    std::string states;
    for (std::size_t i = 0; i < mismatches.size(); ++i) states += (i == 0 ? "" : ", ") + mismatches[i];
    Finding& finding = sink.addForFile(
        where + ": the state of parameter " + std::to_string(state.param_id) + " (" + states + ") does not match " +
        parameters.source + "'s parameter " + std::to_string(found->second) + " '" + parameter.key + "' " +
        shapeText(parameter.shape) +
        "; optimizer.load_state_dict accepts it, and the next optimizer.step() fails with a size mismatch "
        "(or, where the shapes broadcast, trains with wrong moments)");
    locate(finding);
    coverKeys(finding, {parameter.key});
  }
}

void check(const CheckContext& context, FindingSink& sink) {
  if (context.checkpoint.optimizer_states.empty()) return;
  const std::optional<Parameters> parameters = parametersToCompare(context);
  if (!parameters) return;  // no model and no state dict: nothing to compare with (CKL002 says why)
  for (const OptimizerState& optimizer : context.checkpoint.optimizer_states) checkOne(optimizer, *parameters, context, sink);
}

}  // namespace

Rule optimizerStateMismatchRule() {
  return defineRule("CKL501", "optimizer-state-mismatch", Level::kError,
                    "optimizer state does not match the parameters (count or shapes)", check);
}

}  // namespace ckptlint::rules
