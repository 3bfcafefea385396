#include "linter/formats/torchscript.h"

#include <algorithm>
#include <map>
#include <memory>

#include "linter/core/text.h"
#include "linter/formats/containers.h"
#include "linter/formats/tensor_rebuild.h"

namespace ckptlint::formats {
namespace {

using pickle::Value;
using pickle::ValueKind;

// The body of a list literal written by TorchScript's printer: ["a", "b", ] -- double-quoted
// strings with backslash escapes.
std::vector<std::string> parseStringList(std::string_view text) {
  std::vector<std::string> items;
  const std::size_t open = text.find('[');
  if (open == std::string_view::npos) return items;
  for (std::size_t i = open + 1; i < text.size() && text[i] != ']'; ++i) {
    if (text[i] != '"') continue;
    std::string item;
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      item += text[i];
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::string_view lineAt(std::string_view source, std::size_t start) {
  const std::size_t end = source.find('\n', start);
  return source.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// "__torch__.torch.nn.modules.conv.___torch_mangle_0" -> "code/__torch__/torch/nn/modules/conv/___torch_mangle_0.py"
std::string codeRecordOf(const std::string& qualifier) {
  std::string name = "code/" + qualifier + ".py";
  std::replace(name.begin() + 5, name.end() - 3, '.', '/');
  return name;
}

bool isScriptObject(const Value& value) {
  const Value* callee = value.callee();
  return value.kind == ValueKind::kCall && callee != nullptr && callee->kind == ValueKind::kGlobal &&
         (callee->text == "__torch__" || startsWith(callee->text, "__torch__."));
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class ModuleWalker {
 public:
  ModuleWalker(const ArchiveTextReader& read_text, const WalkLimits& limits) : read_text_(read_text), limits_(limits) {}

  Result<ObjectContents> run(const Value& root) {
    if (!isScriptObject(root)) {
      return makeError("data.pkl's root is not a TorchScript object (a __torch__ class instance)");
    }
    Result<const ScriptClass*> root_class = classOf(root);
    if (!root_class) return root_class.error();
    if (!(*root_class)->is_module) return makeError("data.pkl's root object is not a TorchScript module");
    if (auto error = visitModule(root, "", 0)) return *error;
    StateDict state_dict;
    state_dict.conventional = true;
    for (std::size_t i = 0; i < contents_.tensors.size(); ++i) state_dict.tensors.push_back(i);
    contents_.state_dicts.push_back(std::move(state_dict));
    for (TensorInfo& tensor : others_) contents_.tensors.push_back(std::move(tensor));
    return std::move(contents_);
  }

 private:
  Result<const ScriptClass*> classOf(const Value& object) {
    const Value& callee = *object.callee();
    const std::string qualified = callee.dottedName();
    auto known = classes_.find(qualified);
    if (known != classes_.end()) return known->second.get();
    const std::string record = codeRecordOf(callee.text);
    Result<std::optional<std::string>> source = read_text_(record);
    if (!source) return makeError(record + ": " + source.error().message);
    if (!source->has_value()) {
      return makeError("class " + qualified + ": no " + record + " record holds its source; torch.jit.load fails on it");
    }
    std::optional<ScriptClass> parsed = parseScriptClass(**source, callee.name());
    if (!parsed) {
      return makeError("class " + qualified + ": " + record + " does not define it; torch.jit.load fails on it");
    }
    auto& slot = classes_[qualified];
    slot = std::make_unique<ScriptClass>(std::move(*parsed));
    return slot.get();
  }

  std::optional<Error> visitModule(const Value& module, const std::string& prefix, uint32_t depth) {
    if (depth > limits_.max_depth) {
      return makeError("modules nested deeper than " + std::to_string(limits_.max_depth) + " levels at '" + prefix + "'");
    }
    if (++visits_ > limits_.max_visits) {
      return makeError("more than " + std::to_string(limits_.max_visits) + " module visits (shared submodules)");
    }
    Result<const ScriptClass*> found = classOf(module);
    if (!found) return found.error();
    const ScriptClass& script_class = **found;
    const std::string where = prefix.empty() ? "the root module" : "module '" + prefix.substr(0, prefix.size() - 1) + "'";
    const Entries* attributes = module.state() != nullptr ? asMapping(*module.state()) : nullptr;
    if (attributes == nullptr) {
      if (script_class.parameters.empty() && script_class.buffers.empty()) return std::nullopt;
      return makeError(where + " (" + module.callee()->dottedName() +
                       ") saves its state through __getstate__, so its parameters and buffers cannot be listed "
                       "without running it");
    }
    // torch's state_dict(): parameters, then buffers, then each submodule's, in attribute order.
    for (const auto* names : {&script_class.parameters, &script_class.buffers}) {
      const bool parameters = names == &script_class.parameters;
      for (const auto& [key, value] : *attributes) {
        if (!key->isString() || !contains(*names, key->text)) continue;
        if (value->kind == ValueKind::kNone) continue;  // an optional parameter left unset: not in state_dict()
        if (auto error = addTensor(*value, prefix + key->text, parameters, contents_.tensors, where)) return error;
      }
    }
    for (const auto& [key, value] : *attributes) {
      if (!key->isString() || contains(script_class.parameters, key->text) ||
          contains(script_class.buffers, key->text)) {
        continue;
      }
      if (isScriptObject(*value)) {
        Result<const ScriptClass*> child = classOf(*value);
        if (!child) return child.error();
        if ((*child)->is_module) {
          if (auto error = visitModule(*value, prefix + key->text + ".", depth + 1)) return error;
        }
        continue;
      }
      Result<std::optional<TensorInfo>> tensor = recognizeTensor(*value);
      if (tensor && tensor->has_value()) {
        if (auto error = addTensor(*value, prefix + key->text, false, others_, where)) return error;
      }
    }
    return std::nullopt;
  }

  std::optional<Error> addTensor(const Value& value, const std::string& key, bool parameter,
                                 std::vector<TensorInfo>& into, const std::string& where) {
    Result<std::optional<TensorInfo>> tensor = recognizeTensor(value);
    if (!tensor) return makeError("'" + key + "': " + tensor.error().message);
    if (!tensor->has_value()) {
      return makeError(where + " declares '" + key.substr(key.rfind('.') + 1) + "' a " +
                       (parameter ? "parameter" : "buffer") + " but holds a " + pickle::kindName(value.kind) +
                       ", not a tensor");
    }
    TensorInfo info = std::move(**tensor);
    info.path = ObjectPath{key};
    info.is_parameter = parameter;
    into.push_back(std::move(info));
    return std::nullopt;
  }

  const ArchiveTextReader& read_text_;
  WalkLimits limits_;
  std::map<std::string, std::unique_ptr<ScriptClass>> classes_;
  ObjectContents contents_;
  std::vector<TensorInfo> others_;  // tensor attributes outside state_dict()
  uint64_t visits_ = 0;
};

}  // namespace

std::optional<ScriptClass> parseScriptClass(std::string_view source, std::string_view name) {
  const std::string header = "class " + std::string(name);
  for (std::size_t start = 0; start < source.size();) {
    const std::string_view line = lineAt(source, start);
    const std::size_t next = start + line.size() + 1;
    if (startsWith(line, header) && line.size() > header.size() && (line[header.size()] == '(' || line[header.size()] == ':')) {
      ScriptClass parsed;
      parsed.is_module = line.find("(Module)") != std::string_view::npos;
      // The class body: the indented lines that follow.
      for (std::size_t at = next; at < source.size();) {
        const std::string_view body = lineAt(source, at);
        if (!body.empty() && body[0] != ' ') break;
        if (startsWith(body, "  __parameters__ = ")) parsed.parameters = parseStringList(body);
        if (startsWith(body, "  __buffers__ = ")) parsed.buffers = parseStringList(body);
        at += body.size() + 1;
      }
      return parsed;
    }
    start = next;
  }
  return std::nullopt;
}

Result<ObjectContents> readScriptModules(const Value& root, const ArchiveTextReader& read_text, const WalkLimits& limits) {
  return ModuleWalker(read_text, limits).run(root);
}

}  // namespace ckptlint::formats
