// ckptlint_torchscript.so: the only ckptlint code that links LibTorch. Turns a TorchScript
// archive into a JSON spec through torch::jit::load; see torchscript_plugin_api.h.
#include "linter/model/plugin/torchscript_plugin_api.h"

#include <torch/script.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace {

using nlohmann::ordered_json;

char* copyForCaller(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy != nullptr) std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

// LibTorch spells dtypes the C++ way ("Float"); specs use Python's names ("float32").
std::optional<std::string> pythonDTypeName(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Double: return "float64";
    case c10::ScalarType::Float: return "float32";
    case c10::ScalarType::Half: return "float16";
    case c10::ScalarType::BFloat16: return "bfloat16";
    case c10::ScalarType::Long: return "int64";
    case c10::ScalarType::Int: return "int32";
    case c10::ScalarType::Short: return "int16";
    case c10::ScalarType::Char: return "int8";
    case c10::ScalarType::Byte: return "uint8";
    case c10::ScalarType::Bool: return "bool";
    case c10::ScalarType::ComplexDouble: return "complex128";
    case c10::ScalarType::ComplexFloat: return "complex64";
    case c10::ScalarType::ComplexHalf: return "complex32";
    case c10::ScalarType::QInt8: return "qint8";
    case c10::ScalarType::QUInt8: return "quint8";
    case c10::ScalarType::QInt32: return "qint32";
    case c10::ScalarType::QUInt4x2: return "quint4x2";
    case c10::ScalarType::QUInt2x4: return "quint2x4";
    default: return std::nullopt;
  }
}

ordered_json entryJson(const std::string& key, const at::Tensor& tensor, const char* kind) {
  const std::optional<std::string> dtype = pythonDTypeName(tensor.scalar_type());
  if (!dtype) {
    throw std::runtime_error("'" + key + "' has dtype " + std::string(c10::toString(tensor.scalar_type())) +
                             ", which ckptlint does not know");
  }
  return ordered_json{{"key", key}, {"shape", tensor.sizes().vec()}, {"dtype", *dtype}, {"kind", kind}};
}

// Entries in state_dict() order: module by module (pre-order), each module's own parameters,
// then its own buffers. (named_parameters() + named_buffers() would list all parameters first.)
std::string specJson(const char* path) {
  const torch::jit::Module root = torch::jit::load(path, torch::kCPU);
  ordered_json entries = ordered_json::array();
  for (const auto& module : root.named_modules()) {
    const std::string prefix = module.name.empty() ? "" : module.name + ".";
    for (const auto& parameter : module.value.named_parameters(/*recurse=*/false)) {
      entries.push_back(entryJson(prefix + parameter.name, parameter.value, "parameter"));
    }
    for (const auto& buffer : module.value.named_buffers(/*recurse=*/false)) {
      entries.push_back(entryJson(prefix + buffer.name, buffer.value, "buffer"));
    }
  }
  const ordered_json spec{{"format", "ckptlint-spec"}, {"version", 1}, {"entries", entries}};
  return spec.dump();
}

}  // namespace

extern "C" {

int ckptlint_plugin_abi_version(void) { return CKPTLINT_PLUGIN_ABI_VERSION; }

int ckptlint_torchscript_spec_json(const char* path, char** json_out, char** error_out) {
  *json_out = nullptr;
  *error_out = nullptr;
  try {
    *json_out = copyForCaller(specJson(path));
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

void ckptlint_free(char* text) { std::free(text); }

}  // extern "C"
