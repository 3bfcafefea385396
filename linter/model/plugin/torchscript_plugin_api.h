// The narrow C interface between ckptlint and its LibTorch plugin (ckptlint_torchscript.so).
// ckptlint does not link LibTorch (it costs ~0.7 s of start-up per run); it dlopens the plugin
// only when a TorchScript model definition is given. Plain C types only, so the two sides need
// not share a C++ ABI; strings the plugin returns are freed by the plugin.
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CKPTLINT_PLUGIN_FILE_NAME "ckptlint_torchscript.so"
/// Raised when a function's meaning changes, so that a stale plugin is refused, not misread.
/// 2: ckptlint_torchscript_load_state_dict added.
#define CKPTLINT_PLUGIN_ABI_VERSION 2

extern "C" {

/// CKPTLINT_PLUGIN_ABI_VERSION of the plugin.
int ckptlint_plugin_abi_version(void);
typedef int (*ckptlint_plugin_abi_version_fn)(void);

/// Loads the TorchScript archive at `path` on the CPU and writes the JSON spec of what its
/// module expects (see linter/model/spec_json.h) to *json_out. Returns 0 on success; otherwise
/// nonzero with a message in *error_out. Never throws. Free both strings with ckptlint_free.
int ckptlint_torchscript_spec_json(const char* path, char** json_out, char** error_out);
typedef int (*ckptlint_torchscript_spec_json_fn)(const char*, char**, char**);

/// One entry of a snapshot's state dict: a view over storage bytes the caller owns (a slice of
/// the memory-mapped file), laid out as torch's _rebuild_tensor_v2 would see it. The bytes are
/// little-endian, in the host's order; the caller has checked that the view lies inside them.
typedef struct ckptlint_tensor_view {
  const char* key;          // state-dict key, NUL-terminated
  const char* dtype;        // PyTorch's name without "torch.": "float32"
  int64_t ndim;
  const int64_t* shape;     // ndim sizes
  const int64_t* strides;   // ndim strides, in elements
  int64_t storage_offset;   // in elements
  const void* storage;      // first byte of the whole storage; may be unaligned; read only
  uint64_t storage_nbytes;
} ckptlint_tensor_view;

/// ckptlint_torchscript_load_state_dict flag: add each model tensor's CRC-32 after the load.
#define CKPTLINT_LOAD_CHECKSUMS 1

/// Loads the TorchScript archive at `path` on the CPU and loads the `count` tensors into it as
/// torch.nn.Module.load_state_dict(strict=True) does for it in Python (torch.jit.load(path)
/// .load_state_dict(...)): missing, unexpected and size-mismatched keys with PyTorch's
/// wording, the rest copied (cast to the model's dtype) under no_grad. Writes a JSON document
/// (see linter/model/torchscript_loader.h, WeightsLoad) to *json_out and returns 0 when the load
/// was attempted, whether or not it succeeded; nonzero with a message in *error_out when the
/// module or a tensor cannot be set up. Never throws. Free both strings with ckptlint_free.
int ckptlint_torchscript_load_state_dict(const char* path, const ckptlint_tensor_view* tensors, size_t count,
                                         int flags, char** json_out, char** error_out);
typedef int (*ckptlint_torchscript_load_state_dict_fn)(const char*, const ckptlint_tensor_view*, size_t, int,
                                                       char**, char**);

void ckptlint_free(char* text);
typedef void (*ckptlint_free_fn)(char*);

}  // extern "C"
