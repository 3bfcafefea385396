// ckptlint_torchscript.so: the only ckptlint code that links LibTorch. Turns a TorchScript
// archive into a JSON spec through torch::jit::load, and loads a snapshot's tensors into it
// (state_dict_load.cpp); see torchscript_plugin_api.h.
#include "linter/model/plugin/torchscript_plugin_api.h"

#include <torch/script.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "linter/model/plugin/dtype_names.h"
#include "linter/model/plugin/state_dict_load.h"

namespace {

using nlohmann::ordered_json;

char* copyForCaller(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy != nullptr) std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

ordered_json entryJson(const std::string& key, const at::Tensor& tensor, const char* kind) {
  const std::optional<std::string_view> dtype = ckptlint::plugin::pythonDTypeName(tensor.scalar_type());
  if (!dtype) {
    throw std::runtime_error("'" + key + "' has dtype " + std::string(c10::toString(tensor.scalar_type())) +
                             ", which ckptlint does not know");
  }
  return ordered_json{{"key", key}, {"shape", tensor.sizes().vec()}, {"dtype", *dtype}, {"kind", kind}};
}

std::string specJson(const char* path) {
  const torch::jit::Module root = torch::jit::load(path, torch::kCPU);
  ordered_json entries = ordered_json::array();
  for (const ckptlint::plugin::NamedStateTensor& entry : ckptlint::plugin::stateTensors(root)) {
    entries.push_back(entryJson(entry.key, entry.value, entry.is_parameter ? "parameter" : "buffer"));
  }
  const ordered_json spec{{"format", "ckptlint-spec"}, {"version", 1}, {"entries", entries}};
  return spec.dump();
}

// Runs `produce` and hands its JSON to the caller; any exception becomes *error_out (the C
// boundary must not be crossed by one).
template <typename Produce>
int answer(Produce produce, char** json_out, char** error_out) {
  *json_out = nullptr;
  *error_out = nullptr;
  try {
    *json_out = copyForCaller(produce());
    return *json_out != nullptr ? 0 : 1;
  } catch (const c10::Error& error) {
    *error_out = copyForCaller(error.what_without_backtrace());  // what() appends a C++ backtrace
  } catch (const std::exception& error) {
    *error_out = copyForCaller(error.what());
  } catch (...) {
    *error_out = copyForCaller("unknown exception in LibTorch");
  }
  return 1;
}

}  // namespace

extern "C" {

int ckptlint_plugin_abi_version(void) { return CKPTLINT_PLUGIN_ABI_VERSION; }

int ckptlint_torchscript_spec_json(const char* path, char** json_out, char** error_out) {
  return answer([&] { return specJson(path); }, json_out, error_out);
}

int ckptlint_torchscript_load_state_dict(const char* path, const ckptlint_tensor_view* tensors, size_t count,
                                         int flags, char** json_out, char** error_out) {
  return answer([&] { return ckptlint::plugin::loadStateDictJson(path, tensors, count, flags); }, json_out, error_out);
}

void ckptlint_free(char* text) { std::free(text); }

}  // extern "C"
