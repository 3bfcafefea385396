// The allowlist follows PyTorch 2.x's `torch/_weights_only_unpickler.py::_get_allowed_globals`
// (read at pytorch/pytorch main, commit 00f730b, the 2.10 line), which is what `torch.load`
// applies by default since 2.6 — not Debian's 1.13, whose list is a subset of it except for
// `_rebuild_sparse_csr_tensor` (here on the benign list). Tensor and storage class names were
// checked against Debian's torch 1.13 (`torch._tensor_classes`, `torch._storage_classes`).
#include "rules/weights_only_allowlist.h"

#include <algorithm>
#include <unordered_set>

#include "linter/core/text.h"

namespace ckptlint::rules {
namespace {

constexpr std::string_view kFixed[] = {
    "collections.OrderedDict", "collections.Counter", "torch.nn.parameter.Parameter",
    "torch.serialization._get_layout", "torch.Size", "torch.Tensor", "torch.device",
    "_codecs.encode",  // bytes, in protocol 2
    "builtins.bytearray", "builtins.set", "builtins.complex",
    "torch._tensor._rebuild_from_type_v2",
};

// str(dtype) for _dtype_to_storage_type_map(), _new_dtypes(), uint1..7 and int1..7.
constexpr std::string_view kDtypes[] = {
    "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
    "complex128", "complex64", "qint8", "qint32", "quint8", "quint4x2", "quint2x4",
    "float8_e5m2", "float8_e4m3fn", "float8_e5m2fnuz", "float8_e4m3fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2",
    "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2", "complex32", "uint16", "uint32", "uint64",
    "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
    "int1", "int2", "int3", "int4", "int5", "int6", "int7",
};

constexpr std::string_view kQSchemes[] = {
    "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric",
    "per_channel_affine_float_qparams",
};

constexpr std::string_view kRebuildFunctions[] = {
    "_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_tensor",
    "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage",
    "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor",
};

// torch._tensor_classes: <prefix><Stem>Tensor; the sparse modules have no BoolTensor.
constexpr std::string_view kTensorStems[] = {"Double", "Float", "Half", "BFloat16", "Long",
                                              "Int",    "Short", "Char", "Byte",     "Bool"};

// torch._storage_classes: torch.<Stem>Storage for all; torch.cuda.<Stem>Storage for the
// non-quantized ones; plus the two storage classes of torch.storage.
constexpr std::string_view kStorageStems[] = {"Double", "Float", "Half", "BFloat16", "Long", "Int", "Short", "Char",
                                               "Byte", "Bool", "ComplexDouble", "ComplexFloat"};
constexpr std::string_view kQuantizedStorageStems[] = {"QInt8", "QInt32", "QUInt8", "QUInt4x2", "QUInt2x4"};

std::unordered_set<std::string> buildAllowlist() {
  std::unordered_set<std::string> allowed;
  auto add = [&](std::string_view prefix, std::string_view name, std::string_view suffix = {}) {
    allowed.insert(std::string(prefix) + std::string(name) + std::string(suffix));
  };
  for (std::string_view name : kFixed) add("", name);
  for (std::string_view dtype : kDtypes) add("torch.", dtype);
  for (std::string_view qscheme : kQSchemes) add("torch.", qscheme);
  for (std::string_view function : kRebuildFunctions) add("torch._utils.", function);
  for (std::string_view stem : kTensorStems) {
    add("torch.", stem, "Tensor");
    add("torch.cuda.", stem, "Tensor");
    if (stem == "Bool") continue;
    add("torch.sparse.", stem, "Tensor");
    add("torch.cuda.sparse.", stem, "Tensor");
  }
  for (std::string_view stem : kStorageStems) {
    add("torch.", stem, "Storage");
    add("torch.cuda.", stem, "Storage");
  }
  for (std::string_view stem : kQuantizedStorageStems) add("torch.", stem, "Storage");
  add("", "torch.storage.TypedStorage");
  add("", "torch.storage.UntypedStorage");
  return allowed;
}

}  // namespace

bool isWeightsOnlyAllowed(std::string_view dotted) {
  static const std::unordered_set<std::string> kAllowed = buildAllowlist();
  return kAllowed.count(std::string(dotted)) != 0;
}

bool isBlocklistedModule(std::string_view module) {
  return module == "sys" || module == "os" || module == "posix" || module == "nt";
}

const std::vector<std::string>& defaultBenignGlobals() {
  // Values training code commonly saves next to the weights. Each builds data; none runs a
  // command, opens a file or imports by name. Kept short on purpose: a global belongs here only
  // when constructing it from pickled arguments is harmless.
  static const std::vector<std::string> kBenign = {
      // NumPy scalars, dtypes and arrays (an epoch saved as np.int64, a loss as np.float32).
      "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", "numpy.dtypes.*",
      "numpy.ndarray", "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
      // Parsed command lines, paths and timestamps.
      "argparse.Namespace", "pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePath",
      "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "datetime.datetime", "datetime.date", "datetime.time",
      "datetime.timedelta", "datetime.timezone",
      // Plain containers and numbers spelled as classes, and protocol 0/1's object reconstructor
      // (the class it builds is a global of its own, judged separately).
      "builtins.list", "builtins.dict", "builtins.tuple", "builtins.frozenset", "builtins.int", "builtins.float",
      "builtins.str", "builtins.bytes", "builtins.bool", "builtins.slice", "builtins.range", "builtins.object",
      "collections.defaultdict", "collections.deque", "copyreg._reconstructor",
      // PyTorch's own: whole nn.Module objects (torch.save(model)), TorchScript-written pickles'
      // type tags and list builders, and 1.13's allowlisted sparse CSR rebuild.
      // (a whole module also names the activations it holds and its weight-norm hooks).
      "torch.nn.modules.*", "torch.nn.utils.*", "torch.nn.functional.relu", "torch.nn.functional.gelu",
      "torch.jit._pickle.restore_type_tag", "torch.jit._pickle.build_intlist",
      "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist",
      "torch._utils._rebuild_sparse_csr_tensor",
  };
  return kBenign;
}

bool matchesGlobalPattern(std::string_view pattern, std::string_view module, std::string_view name) {
  constexpr std::string_view kWildcard = ".*";
  if (pattern.size() > kWildcard.size() && pattern.substr(pattern.size() - kWildcard.size()) == kWildcard) {
    const std::string_view package = pattern.substr(0, pattern.size() - kWildcard.size());
    const bool inside = module == package || (startsWith(module, package) && module[package.size()] == '.');
    // Python names classes in CapWords; functions of the same package are not benign.
    const bool class_like = !name.empty() && name[0] >= 'A' && name[0] <= 'Z' &&
                            name.find('.') == std::string_view::npos;
    return inside && class_like;
  }
  return pattern.size() == module.size() + 1 + name.size() && startsWith(pattern, module) &&
         pattern[module.size()] == '.' && pattern.substr(module.size() + 1) == name;
}

}  // namespace ckptlint::rules
