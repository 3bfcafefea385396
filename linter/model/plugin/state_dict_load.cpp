// torch.nn.Module.load_state_dict(strict=True) on a TorchScript module, step for step as
// torch 1.13's module.py does it (load_state_dict, _load_from_state_dict) for the
// RecursiveScriptModule torch.jit.load returns: its _parameters and _buffers are the C++
// module's parameter and buffer slots that hold tensors, every buffer counts as persistent
// (TorchScript keeps no non-persistent set), and its _modules are the module's children.
#include "linter/model/plugin/state_dict_load.h"

#include <zlib.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "linter/model/plugin/dtype_names.h"

namespace ckptlint::plugin {
namespace {

using nlohmann::ordered_json;

// The class name Python puts in its header: torch.jit.load always returns this wrapper.
constexpr const char* kPythonModuleClass = "RecursiveScriptModule";
constexpr const char* kExtraStateSuffix = "_extra_state";

// Python's repr of torch.Size: "torch.Size([5, 8])", "torch.Size([])".
std::string torchSize(c10::IntArrayRef sizes) {
  std::string text = "torch.Size([";
  for (std::size_t i = 0; i < sizes.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(sizes[i]);
  return text + "])";
}

// Python's repr of a str, as it appears in an exception's args tuple.
std::string pythonRepr(const std::string& text) {
  const char quote = text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + quote;
}

bool startsWith(const std::string& text, const std::string& prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// The highest element index the view reaches, or nullopt if it reaches none (an empty view);
// throws for a view that is not one torch could rebuild.
std::optional<uint64_t> lastElement(const ckptlint_tensor_view& view) {
  if (view.ndim < 0 || view.storage_offset < 0) throw std::runtime_error("negative rank or storage offset");
  uint64_t last = static_cast<uint64_t>(view.storage_offset);
  for (int64_t d = 0; d < view.ndim; ++d) {
    if (view.shape[d] < 0 || view.strides[d] < 0) throw std::runtime_error("negative size or stride");
    if (view.shape[d] == 0) return std::nullopt;
    uint64_t reach = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(view.shape[d] - 1), static_cast<uint64_t>(view.strides[d]), &reach) ||
        __builtin_add_overflow(last, reach, &last)) {
      throw std::runtime_error("view arithmetic overflows");
    }
  }
  return last;
}

// A CPU tensor over the caller's bytes, as torch.load would rebuild it (a storage, then
// as_strided). Aligned storages are used in place (no copy until copy_ into the model);
// unaligned ones (legacy files put storages at any byte offset) are copied first.
at::Tensor tensorOver(const ckptlint_tensor_view& view) {
  const std::string key = view.key;
  const std::optional<c10::ScalarType> type = scalarTypeFromPythonName(view.dtype);
  if (!type || c10::isQIntType(*type)) {
    throw std::runtime_error("tensor '" + key + "' has dtype " + view.dtype + ", which cannot be loaded this way");
  }
  const auto element_size = static_cast<uint64_t>(c10::elementSize(*type));
  const uint64_t elements = view.storage_nbytes / element_size;
  try {
    if (std::optional<uint64_t> last = lastElement(view); last && *last >= elements) {
      throw std::runtime_error("view reaches element " + std::to_string(*last) + " of a storage of " +
                               std::to_string(elements));
    }
  } catch (const std::runtime_error& error) {
    throw std::runtime_error("tensor '" + key + "': " + error.what());  // never read past the caller's bytes
  }
  const auto options = at::TensorOptions().dtype(*type).device(at::kCPU);
  const auto count = static_cast<int64_t>(elements);
  at::Tensor storage;
  if (elements == 0) {
    storage = at::empty({0}, options);
  } else if (reinterpret_cast<uintptr_t>(view.storage) % element_size == 0) {
    storage = torch::from_blob(const_cast<void*>(view.storage), {count}, options);
  } else {
    storage = at::empty({count}, options);
    std::memcpy(storage.data_ptr(), view.storage, elements * element_size);
  }
  return storage.as_strided(c10::IntArrayRef(view.shape, static_cast<std::size_t>(view.ndim)),
                            c10::IntArrayRef(view.strides, static_cast<std::size_t>(view.ndim)), view.storage_offset);
}

// The snapshot as Python's OrderedDict: keys in first-insertion order, a repeated key's
// last value.
struct InputStateDict {
  std::vector<std::string> keys;
  std::unordered_map<std::string, at::Tensor> values;
};

InputStateDict inputStateDict(const ckptlint_tensor_view* tensors, size_t count) {
  InputStateDict input;
  for (size_t i = 0; i < count; ++i) {
    at::Tensor tensor = tensorOver(tensors[i]);
    auto [slot, inserted] = input.values.insert_or_assign(tensors[i].key, std::move(tensor));
    if (inserted) input.keys.push_back(slot->first);
  }
  return input;
}

// Python raised mid-load (an IndexError): no "Error(s) in loading" list, just this message.
struct PythonRaised {
  std::string message;
};

struct LoadOutcome {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  ordered_json size_mismatch = ordered_json::array();
  std::vector<std::string> error_msgs;  // as module.py's error_msgs, before missing/unexpected go first
  std::vector<std::string> other_errors;
  uint64_t loaded = 0;
};

// Module._load_from_state_dict for one module, then load() into its children.
void loadModule(const torch::jit::Module& module, const std::string& prefix, const std::vector<std::string>& local_keys,
                const InputStateDict& input, LoadOutcome& outcome) {
  std::vector<std::pair<std::string, at::Tensor>> local_state;
  for (const auto& parameter : module.named_parameters(/*recurse=*/false)) local_state.emplace_back(parameter.name, parameter.value);
  for (const auto& buffer : module.named_buffers(/*recurse=*/false)) local_state.emplace_back(buffer.name, buffer.value);
  std::unordered_set<std::string> local_names;
  for (auto& [name, param] : local_state) {
    local_names.insert(name);
    const std::string key = prefix + name;
    auto found = input.values.find(key);
    if (found == input.values.end()) {
      outcome.missing.push_back(key);
      continue;
    }
    at::Tensor input_param = found->second;
    // Backward compatibility (0.3 files): a 1-dim tensor into a 0-dim parameter gives element 0.
    if (param.dim() == 0 && input_param.dim() == 1) {
      if (input_param.size(0) == 0) throw PythonRaised{"index 0 is out of bounds for dimension 0 with size 0"};
      input_param = input_param.select(0, 0);
    }
    if (input_param.sizes() != param.sizes()) {
      outcome.error_msgs.push_back("size mismatch for " + key + ": copying a param with shape " + torchSize(input_param.sizes()) +
                                   " from checkpoint, the shape in current model is " + torchSize(param.sizes()) + ".");
      outcome.size_mismatch.push_back(
          {{"key", key}, {"checkpoint_shape", input_param.sizes().vec()}, {"model_shape", param.sizes().vec()}});
      continue;
    }
    try {
      const torch::NoGradGuard no_grad;
      param.copy_(input_param);  // casts to the model's dtype, as in Python
      ++outcome.loaded;
    } catch (const c10::Error& error) {
      const std::string line = "While copying the parameter named \"" + key + "\", whose dimensions in the model are " +
                               torchSize(param.sizes()) + " and whose dimensions in the checkpoint are " +
                               torchSize(input_param.sizes()) + ", an exception occurred : (" +
                               pythonRepr(error.what_without_backtrace()) + ",).";
      outcome.error_msgs.push_back(line);
      outcome.other_errors.push_back(line);
    }
  }
  // A module without set_extra_state (TorchScript modules have none) calls its key unexpected.
  const std::string extra_state_key = prefix + kExtraStateSuffix;
  if (input.values.count(extra_state_key) != 0) outcome.unexpected.push_back(extra_state_key);
  std::unordered_set<std::string> children;
  for (const auto& child : module.named_children()) children.insert(child.name);
  for (const std::string& key : local_keys) {
    if (key == extra_state_key) continue;
    const std::string rest = key.substr(prefix.size());
    const std::string input_name = rest.substr(0, rest.find('.'));
    if (children.count(input_name) == 0 && local_names.count(input_name) == 0) outcome.unexpected.push_back(key);
  }
  for (const auto& child : module.named_children()) {
    const std::string child_prefix = prefix + child.name + ".";
    std::vector<std::string> child_keys;
    for (const std::string& key : local_keys) {
      if (startsWith(key, child_prefix)) child_keys.push_back(key);
    }
    loadModule(child.value, child_prefix, child_keys, input, outcome);
  }
}

std::string quotedList(const std::vector<std::string>& keys) {
  std::string text;
  for (std::size_t i = 0; i < keys.size(); ++i) text += (i > 0 ? ", \"" : "\"") + keys[i] + "\"";
  return text;
}

// The lines of Python's RuntimeError after its header, in its order.
std::vector<std::string> errorLines(const LoadOutcome& outcome) {
  std::vector<std::string> lines;
  if (!outcome.missing.empty()) lines.push_back("Missing key(s) in state_dict: " + quotedList(outcome.missing) + ". ");
  if (!outcome.unexpected.empty()) lines.push_back("Unexpected key(s) in state_dict: " + quotedList(outcome.unexpected) + ". ");
  lines.insert(lines.end(), outcome.error_msgs.begin(), outcome.error_msgs.end());
  return lines;
}

uint32_t crc32Of(const at::Tensor& tensor) {
  const at::Tensor contiguous = tensor.contiguous();
  return static_cast<uint32_t>(
      crc32_z(0, static_cast<const Bytef*>(contiguous.data_ptr()), static_cast<z_size_t>(contiguous.nbytes())));
}

ordered_json checksums(const torch::jit::Module& root) {
  ordered_json entries = ordered_json::array();
  for (const NamedStateTensor& entry : stateTensors(root)) {
    const std::optional<std::string_view> dtype = pythonDTypeName(entry.value.scalar_type());
    entries.push_back({{"key", entry.key},
                       {"dtype", dtype ? std::string(*dtype) : std::string(c10::toString(entry.value.scalar_type()))},
                       {"shape", entry.value.sizes().vec()},
                       {"crc32", crc32Of(entry.value)}});
  }
  return entries;
}

}  // namespace

std::vector<NamedStateTensor> stateTensors(const torch::jit::Module& root) {
  std::vector<NamedStateTensor> entries;
  for (const auto& module : root.named_modules()) {
    const std::string prefix = module.name.empty() ? "" : module.name + ".";
    for (const auto& parameter : module.value.named_parameters(/*recurse=*/false)) {
      entries.push_back({prefix + parameter.name, parameter.value, true});
    }
    for (const auto& buffer : module.value.named_buffers(/*recurse=*/false)) {
      entries.push_back({prefix + buffer.name, buffer.value, false});
    }
  }
  return entries;
}

std::string loadStateDictJson(const char* path, const ckptlint_tensor_view* tensors, size_t count, int flags) {
  torch::jit::Module root;
  try {
    root = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& error) {
    throw std::runtime_error(std::string("LibTorch cannot load it as TorchScript: ") + error.what_without_backtrace());
  }
  const InputStateDict input = inputStateDict(tensors, count);
  LoadOutcome outcome;
  std::string raised;
  try {
    loadModule(root, "", input.keys, input, outcome);
  } catch (const PythonRaised& error) {
    raised = error.message;
  }
  const std::vector<std::string> lines = errorLines(outcome);
  std::string message = raised;
  if (raised.empty() && !lines.empty()) {
    message = std::string("Error(s) in loading state_dict for ") + kPythonModuleClass + ":";
    for (const std::string& line : lines) message += "\n\t" + line;
  }
  std::vector<std::string> errors = outcome.other_errors;
  if (!raised.empty()) errors.push_back(raised);
  ordered_json document{{"ok", message.empty()},
                        {"module_type", root.type()->name() ? root.type()->name()->qualifiedName() : std::string()},
                        {"model_tensors", stateTensors(root).size()},
                        {"checkpoint_tensors", input.keys.size()},
                        {"loaded", outcome.loaded},
                        {"missing", outcome.missing},
                        {"unexpected", outcome.unexpected},
                        {"size_mismatch", outcome.size_mismatch},
                        {"errors", errors},
                        {"error_lines", raised.empty() ? lines : std::vector<std::string>{}},
                        {"pytorch_message", message}};
  if ((flags & CKPTLINT_LOAD_CHECKSUMS) != 0) document["checksums"] = checksums(root);
  return document.dump();
}

}  // namespace ckptlint::plugin
