#include "linter/model/torchscript_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <vector>

#include "linter/model/plugin/torchscript_plugin_api.h"
#include "linter/model/spec_json.h"

namespace ckptlint::model {
namespace {

struct Plugin {
  ckptlint_torchscript_spec_json_fn spec_json = nullptr;
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
    plugin.free_text = reinterpret_cast<ckptlint_free_fn>(dlsym(handle, "ckptlint_free"));
    if (abi_version == nullptr || plugin.spec_json == nullptr || plugin.free_text == nullptr ||
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

}  // namespace

Result<ModelSpec> specFromTorchScript(const std::string& path) {
  const Result<Plugin>& loaded = sharedPlugin();
  if (!loaded) {
    return makeError("reading a TorchScript model definition needs the ckptlint LibTorch plugin (" CKPTLINT_PLUGIN_FILE_NAME
                     "): " + oneLine(loaded.error().message) +
                     "; install libtorch-dev and rebuild, or use a JSON spec (ckptlint spec)");
  }
  char* json_text = nullptr;
  char* error_text = nullptr;
  int status = 0;
  {
    // Loading runs the archive's TorchScript (__setstate__ methods may print): its output must
    // not land in a report on stdout.
    const StdoutToStderr redirect;
    status = loaded->spec_json(path.c_str(), &json_text, &error_text);
  }
  // Copied out at once so that the plugin's strings are freed on every path.
  const std::string json = json_text != nullptr ? json_text : "";
  const std::string error = error_text != nullptr ? error_text : "";
  loaded->free_text(json_text);
  loaded->free_text(error_text);
  if (status != 0) return makeError("LibTorch cannot load it as TorchScript: " + oneLine(error.empty() ? "no reason given" : error));
  Result<ModelSpec> spec = parseSpecJson(json);
  if (!spec) return makeError("the TorchScript plugin returned a bad spec: " + spec.error().message);
  spec->source = path;
  spec->source_kind = "torchscript";
  return spec;
}

}  // namespace ckptlint::model
