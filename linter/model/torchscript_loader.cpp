#include "linter/model/torchscript_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "linter/model/plugin/torchscript_plugin_api.h"
#include "linter/model/spec_json.h"

namespace ckptlint::model {
namespace {

struct Plugin {
  ckptlint_torchscript_spec_json_fn spec_json = nullptr;
  ckptlint_torchscript_load_state_dict_fn load_state_dict = nullptr;
  ckptlint_free_fn free_text = nullptr;
};

std::string executableDirectory() {
  std::vector<char> buffer(4096);
  const ssize_t length = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (length <= 0) return {};
  const std::string exe(buffer.data(), static_cast<std::size_t>(length));
  return exe.substr(0, exe.rfind('/'));
}

std::vector<std::string> pluginCandidates() {
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("CKPTLINT_PLUGIN_DIR"); dir != nullptr && *dir != '\0') {
    candidates.push_back(std::string(dir) + "/" CKPTLINT_PLUGIN_FILE_NAME);
  }
  const std::string exe_dir = executableDirectory();
  if (!exe_dir.empty()) {
    candidates.push_back(exe_dir + "/" CKPTLINT_PLUGIN_FILE_NAME);
    candidates.push_back(exe_dir + "/../lib/ckptlint/" CKPTLINT_PLUGIN_FILE_NAME);
  }
  return candidates;
}

// Opens the first candidate that exists. The handle is never closed: LibTorch registers
// operators in static constructors and does not support being unloaded.
Result<Plugin> openPlugin() {
  std::string not_found = "not found in";
  for (const std::string& candidate : pluginCandidates()) {
    if (access(candidate.c_str(), F_OK) != 0) {
      not_found += " " + candidate.substr(0, candidate.rfind('/'));
      continue;
    }
    void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return makeError(dlerror());
    auto abi_version = reinterpret_cast<ckptlint_plugin_abi_version_fn>(dlsym(handle, "ckptlint_plugin_abi_version"));
    Plugin plugin;
    plugin.spec_json = reinterpret_cast<ckptlint_torchscript_spec_json_fn>(dlsym(handle, "ckptlint_torchscript_spec_json"));
    plugin.load_state_dict =
        reinterpret_cast<ckptlint_torchscript_load_state_dict_fn>(dlsym(handle, "ckptlint_torchscript_load_state_dict"));
    plugin.free_text = reinterpret_cast<ckptlint_free_fn>(dlsym(handle, "ckptlint_free"));
    if (abi_version == nullptr || plugin.spec_json == nullptr || plugin.load_state_dict == nullptr ||
        plugin.free_text == nullptr ||
        abi_version() != CKPTLINT_PLUGIN_ABI_VERSION) {
      return makeError(candidate + " is not a plugin of this ckptlint version (stale build?)");
    }
    return plugin;
  }
  return makeError(not_found);
}

const Result<Plugin>& sharedPlugin() {
  static const Result<Plugin> opened = openPlugin();
  return opened;
}

// LibTorch's messages can span lines (TorchScript source excerpts); ckptlint errors are one.
std::string oneLine(const std::string& text) {
  std::string line;
  bool pending_space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      pending_space = !line.empty();
      continue;
    }
    if (pending_space) line += ' ';
    pending_space = false;
    line += c;
  }
  return line;
}

// Points file descriptor 1 at stderr for its lifetime (flushing both C and C++ streams at
// each change), so that nothing written to stdout meanwhile reaches it.
class StdoutToStderr {
 public:
  StdoutToStderr() {
    flushStdout();
    saved_ = dup(STDOUT_FILENO);
    if (saved_ >= 0) dup2(STDERR_FILENO, STDOUT_FILENO);
  }
  ~StdoutToStderr() {
    flushStdout();
    if (saved_ < 0) return;
    dup2(saved_, STDOUT_FILENO);
    close(saved_);
  }
  StdoutToStderr(const StdoutToStderr&) = delete;
  StdoutToStderr& operator=(const StdoutToStderr&) = delete;

 private:
  static void flushStdout() {
    std::cout.flush();
    std::fflush(stdout);
  }
  int saved_ = -1;
};

// The plugin, or the error saying how to get it.
Result<const Plugin*> pluginFor(const char* purpose) {
  const Result<Plugin>& loaded = sharedPlugin();
  if (!loaded) {
    return makeError(std::string(purpose) + " needs the ckptlint LibTorch plugin (" CKPTLINT_PLUGIN_FILE_NAME "): " +
                     oneLine(loaded.error().message) + "; install libtorch-dev and rebuild, or use a JSON spec (ckptlint spec)");
  }
  return &*loaded;
}

// Calls a plugin function that answers JSON or an error, and copies both out (freeing the
// plugin's strings on every path). Loading runs the archive's TorchScript (__setstate__
// methods may print): its output must not land in a report on stdout.
template <typename Call>
Result<std::string> callPlugin(const Plugin& plugin, Call call) {
  char* json_text = nullptr;
  char* error_text = nullptr;
  int status = 0;
  {
    const StdoutToStderr redirect;
    status = call(&json_text, &error_text);
  }
  const std::string json = json_text != nullptr ? json_text : "";
  const std::string error = error_text != nullptr ? error_text : "";
  plugin.free_text(json_text);
  plugin.free_text(error_text);
  if (status != 0) return makeError(oneLine(error.empty() ? "no reason given" : error));
  return json;
}

// The C views of `tensors`; `dtype_names` keeps their NUL-terminated dtype names alive.
std::vector<ckptlint_tensor_view> viewsOf(const std::vector<TensorForLoad>& tensors, std::vector<std::string>& dtype_names) {
  std::vector<ckptlint_tensor_view> views;
  views.reserve(tensors.size());
  dtype_names.reserve(tensors.size());
  for (const TensorForLoad& tensor : tensors) {
    ckptlint_tensor_view view{};
    view.key = tensor.key.c_str();
    view.dtype = dtype_names.emplace_back(name(tensor.dtype)).c_str();
    view.ndim = static_cast<int64_t>(tensor.shape.size());
    view.shape = tensor.shape.data();
    view.strides = tensor.stride.data();
    view.storage_offset = tensor.storage_offset;
    view.storage = tensor.storage.data();
    view.storage_nbytes = tensor.storage.size();
    views.push_back(view);
  }
  return views;
}

WeightsLoad weightsLoadFromJson(const std::string& text) {
  const nlohmann::json document = nlohmann::json::parse(text);
  WeightsLoad load;
  load.ok = document.at("ok").get<bool>();
  load.module_type = document.at("module_type").get<std::string>();
  load.model_tensors = document.at("model_tensors").get<uint64_t>();
  load.checkpoint_tensors = document.at("checkpoint_tensors").get<uint64_t>();
  load.loaded = document.at("loaded").get<uint64_t>();
  load.missing = document.at("missing").get<std::vector<std::string>>();
  load.unexpected = document.at("unexpected").get<std::vector<std::string>>();
  for (const auto& entry : document.at("size_mismatch")) {
    load.size_mismatch.push_back({entry.at("key").get<std::string>(), entry.at("checkpoint_shape").get<std::vector<int64_t>>(),
                                  entry.at("model_shape").get<std::vector<int64_t>>()});
  }
  load.errors = document.at("errors").get<std::vector<std::string>>();
  load.error_lines = document.at("error_lines").get<std::vector<std::string>>();
  load.pytorch_message = document.at("pytorch_message").get<std::string>();
  if (document.contains("checksums")) {
    for (const auto& entry : document.at("checksums")) {
      load.checksums.push_back({entry.at("key").get<std::string>(), entry.at("dtype").get<std::string>(),
                                entry.at("shape").get<std::vector<int64_t>>(), entry.at("crc32").get<uint32_t>()});
    }
  }
  return load;
}

}  // namespace

Result<ModelSpec> specFromTorchScript(const std::string& path) {
  Result<const Plugin*> plugin = pluginFor("reading a TorchScript model definition");
  if (!plugin) return plugin.error();
  Result<std::string> json = callPlugin(**plugin, [&](char** json_out, char** error_out) {
    return (*plugin)->spec_json(path.c_str(), json_out, error_out);
  });
  if (!json) return makeError("LibTorch cannot load it as TorchScript: " + json.error().message);
  Result<ModelSpec> spec = parseSpecJson(*json);
  if (!spec) return makeError("the TorchScript plugin returned a bad spec: " + spec.error().message);
  spec->source = path;
  spec->source_kind = "torchscript";
  return spec;
}

Result<WeightsLoad> loadIntoTorchScript(const std::string& path, const std::vector<TensorForLoad>& tensors,
                                        bool with_checksums) {
  Result<const Plugin*> plugin = pluginFor("loading weights into a TorchScript model");
  if (!plugin) return plugin.error();
  std::vector<std::string> dtype_names;
  const std::vector<ckptlint_tensor_view> views = viewsOf(tensors, dtype_names);
  Result<std::string> json = callPlugin(**plugin, [&](char** json_out, char** error_out) {
    return (*plugin)->load_state_dict(path.c_str(), views.data(), views.size(),
                                      with_checksums ? CKPTLINT_LOAD_CHECKSUMS : 0, json_out, error_out);
  });
  if (!json) return json.error();
  try {
    return weightsLoadFromJson(*json);
  } catch (const nlohmann::json::exception& error) {
    return makeError(std::string("the TorchScript plugin returned a bad answer: ") + error.what());
  }
}

}  // namespace ckptlint::model
