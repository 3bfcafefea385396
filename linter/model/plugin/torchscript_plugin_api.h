// The narrow C interface between ckptlint and its LibTorch plugin (ckptlint_torchscript.so).
// ckptlint does not link LibTorch (it costs ~0.7 s of start-up per run); it dlopens the plugin
// only when a TorchScript model definition is given. Plain C types only, so the two sides need
// not share a C++ ABI; strings the plugin returns are freed by the plugin.
#pragma once

#define CKPTLINT_PLUGIN_FILE_NAME "ckptlint_torchscript.so"
/// Raised when a function's meaning changes, so that a stale plugin is refused, not misread.
#define CKPTLINT_PLUGIN_ABI_VERSION 1

extern "C" {

/// CKPTLINT_PLUGIN_ABI_VERSION of the plugin.
int ckptlint_plugin_abi_version(void);
typedef int (*ckptlint_plugin_abi_version_fn)(void);

/// Loads the TorchScript archive at `path` on the CPU and writes the JSON spec of what its
/// module expects (see linter/model/spec_json.h) to *json_out. Returns 0 on success; otherwise
/// nonzero with a message in *error_out. Never throws. Free both strings with ckptlint_free.
int ckptlint_torchscript_spec_json(const char* path, char** json_out, char** error_out);
typedef int (*ckptlint_torchscript_spec_json_fn)(const char*, char**, char**);

void ckptlint_free(char* text);
typedef void (*ckptlint_free_fn)(char*);

}  // extern "C"
