#include "linter/formats/tensor_rebuild.h"

#include <stdexcept>
#include <string>
#include <string_view>

namespace ckptlint::formats {

using pickle::Value;
using pickle::ValueKind;

namespace {

using Args = pickle::ValueList;
using Recognized = Result<std::optional<TensorInfo>>;

Error argumentError(const std::string& function, const std::string& problem) {
  return makeError(function + ": " + problem);
}

bool readInt(const Value* value, int64_t* out) {
  if (value == nullptr || !value->isInt()) return false;
  *out = value->integer;
  return true;
}

bool readBool(const Value* value, bool* out) {
  if (value == nullptr) return false;
  if (value->kind == ValueKind::kBool) {
    *out = value->boolean;
    return true;
  }
  if (value->isInt()) {  // protocol-0 writers may spell booleans as ints
    *out = value->integer != 0;
    return true;
  }
  return false;
}

bool readIntTuple(const Value* value, std::vector<int64_t>* out) {
  if (value == nullptr) return false;
  const Value* sequence = value;
  // torch.Size((2, 3)) pickles as REDUCE(torch.Size, ((2, 3),)).
  if (value->kind == ValueKind::kCall && value->callee() != nullptr && value->callee()->isGlobal("torch", "Size") &&
      value->args() != nullptr && value->args()->kind == ValueKind::kTuple && value->args()->items.size() == 1) {
    sequence = value->args()->items[0];
  }
  if (sequence->kind != ValueKind::kTuple && sequence->kind != ValueKind::kList) return false;
  out->clear();
  for (const Value* item : sequence->items) {
    int64_t number = 0;
    if (!readInt(item, &number)) return false;
    out->push_back(number);
  }
  return true;
}

using Storage = StorageId;

// The persistent id a rebuild call's first argument holds.
Result<Storage> readStorage(const Value* value, const std::string& function) {
  if (value == nullptr || value->kind != ValueKind::kPersistentId || value->items.empty()) {
    return argumentError(function, "first argument is not a storage (persistent id)");
  }
  Result<Storage> storage = readStorageId(*value->items[0]);
  if (!storage) return argumentError(function, storage.error().message);
  return storage;
}

bool mulOverflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

// The torch._utils functions that rebuild a tensor, qualified. A tensor's rebuild_function
// views one of these literals: 100k tensors share them instead of holding copies.
constexpr std::string_view kUtilsModule = "torch._utils.";
constexpr std::string_view kRebuildFunctions[] = {
    "torch._utils._rebuild_tensor",  "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_qtensor", "torch._utils._rebuild_meta_tensor_no_storage"};

// Only called with the names recognizeCall dispatches on, all in the table.
std::string_view qualifiedRebuildName(std::string_view function) {
  for (std::string_view name : kRebuildFunctions) {
    if (name.substr(kUtilsModule.size()) == function) return name;
  }
  throw std::logic_error("not a torch._utils rebuild function: " + std::string(function));
}

// _rebuild_tensor(storage, offset, size, stride)
// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
// _rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype[, metadata])
// _rebuild_qtensor(storage, offset, size, stride, qparams, requires_grad, hooks)
Recognized denseTensor(const std::string& function, const Args& args) {
  const bool v3 = function == "_rebuild_tensor_v3";
  const bool quantized = function == "_rebuild_qtensor";
  const std::size_t min_args = function == "_rebuild_tensor" ? 4 : v3 || quantized ? 7 : 6;
  const std::size_t max_args = function == "_rebuild_tensor" ? 4 : quantized ? 7 : min_args + 1;
  if (args.size() < min_args || args.size() > max_args) {
    return argumentError(function, "expects " + std::to_string(min_args) +
                                       (max_args != min_args ? " or " + std::to_string(max_args) : "") +
                                       " arguments, got " + std::to_string(args.size()));
  }
  Result<Storage> storage = readStorage(args[0], function);
  if (!storage) return storage.error();

  TensorInfo tensor;
  tensor.rebuild_function = qualifiedRebuildName(function);
  if (!readInt(args[1], &tensor.storage_offset) || tensor.storage_offset < 0) {
    return argumentError(function, "storage offset is not a non-negative integer");
  }
  if (!readIntTuple(args[2], &tensor.shape)) return argumentError(function, "size is not a tuple of integers");
  if (!readIntTuple(args[3], &tensor.stride)) return argumentError(function, "stride is not a tuple of integers");
  if (tensor.shape.size() != tensor.stride.size()) {
    return argumentError(function, "size has " + std::to_string(tensor.shape.size()) + " dimensions but stride has " +
                                       std::to_string(tensor.stride.size()));
  }
  for (int64_t size : tensor.shape) {
    if (size < 0) return argumentError(function, "negative size " + std::to_string(size));
  }
  const std::size_t requires_grad_at = quantized ? 5 : 4;
  if (args.size() > requires_grad_at && !readBool(args[requires_grad_at], &tensor.requires_grad)) {
    return argumentError(function, "requires_grad is not a bool");
  }

  uint64_t element_size = 1;
  if (v3) {
    const Value* dtype = args[6];
    std::optional<DType> parsed;
    if (dtype->kind == ValueKind::kGlobal && dtype->text == "torch") parsed = dtypeFromName(dtype->name());
    if (!parsed) return argumentError(function, "dtype argument is not a torch dtype");
    tensor.dtype = *parsed;
    if (storage->dtype) element_size = elementSize(*storage->dtype);  // a typed storage counts elements
  } else {
    // An untyped storage given to the typed rebuild functions is read as bytes.
    tensor.dtype = storage->dtype.value_or(DType::kUInt8);
    element_size = elementSize(tensor.dtype);
  }
  if (mulOverflows(static_cast<uint64_t>(storage->numel), element_size, &tensor.storage_nbytes)) {
    return argumentError(function, "storage size overflows");
  }
  // A legacy view is a storage of its own to torch (a slice of `key`'s); the reader resolves it.
  tensor.storage_key = storage->view ? storage->view->key : storage->key;
  tensor.device = storage->location;
  return std::optional<TensorInfo>(std::move(tensor));
}

// _rebuild_meta_tensor_no_storage(dtype, size, stride, requires_grad)
Recognized metaTensor(const std::string& function, const Args& args) {
  if (args.size() != 4) return argumentError(function, "expects 4 arguments");
  TensorInfo tensor;
  tensor.rebuild_function = qualifiedRebuildName(function);
  std::optional<DType> dtype;
  if (args[0]->kind == ValueKind::kGlobal && args[0]->text == "torch") dtype = dtypeFromName(args[0]->name());
  if (!dtype) return argumentError(function, "dtype argument is not a torch dtype");
  tensor.dtype = *dtype;
  if (!readIntTuple(args[1], &tensor.shape) || !readIntTuple(args[2], &tensor.stride)) {
    return argumentError(function, "size or stride is not a tuple of integers");
  }
  readBool(args[3], &tensor.requires_grad);
  tensor.device = "meta";
  return std::optional<TensorInfo>(std::move(tensor));
}

// Parameter(...) and _rebuild_from_type_v2(...) wrap other rebuild calls; real files nest two
// or three levels, a hostile one could nest until the stack runs out.
constexpr int kMaxWrapperDepth = 32;

Recognized recognizeCall(const Value& callee, const Value& args_value, int depth);
Recognized recognizeValue(const Value& value, int depth);

// _rebuild_parameter(data, requires_grad, hooks), _rebuild_parameter_with_state(..., state),
// and Parameter(data[, requires_grad]) built directly.
Recognized parameter(const std::string& function, const Args& args, std::size_t min_args, int depth) {
  if (args.size() < min_args) return argumentError(function, "expects a tensor argument");
  Recognized data = recognizeValue(*args[0], depth + 1);
  if (!data) return data;
  if (!data->has_value()) return argumentError(function, "data argument is not a tensor");
  TensorInfo tensor = std::move(**data);
  tensor.is_parameter = true;
  tensor.requires_grad = true;
  if (args.size() > 1 && !readBool(args[1], &tensor.requires_grad)) {
    return argumentError(function, "requires_grad is not a bool");
  }
  return std::optional<TensorInfo>(std::move(tensor));
}

// torch._tensor._rebuild_from_type_v2(func, new_type, args, state): func(*args) then a type change.
Recognized fromType(const std::string& function, const Args& args, int depth) {
  if (args.size() != 4) return argumentError(function, "expects 4 arguments");
  Recognized inner = recognizeCall(*args[0], *args[2], depth + 1);
  if (!inner || !inner->has_value()) return inner;
  if (args[1]->isGlobal("torch.nn.parameter", "Parameter")) (*inner)->is_parameter = true;
  return inner;
}

Recognized recognizeCall(const Value& callee, const Value& args_value, int depth) {
  if (callee.kind != ValueKind::kGlobal || args_value.kind != ValueKind::kTuple) return std::optional<TensorInfo>();
  if (depth > kMaxWrapperDepth) {
    return makeError("tensor wrapped in more than " + std::to_string(kMaxWrapperDepth) + " rebuild calls");
  }
  const Args& args = args_value.items;
  const std::string& name = callee.name();
  if (callee.text == "torch._utils") {
    if (name == "_rebuild_tensor" || name == "_rebuild_tensor_v2" || name == "_rebuild_tensor_v3" ||
        name == "_rebuild_qtensor") {
      return denseTensor(name, args);
    }
    if (name == "_rebuild_parameter" || name == "_rebuild_parameter_with_state") return parameter(name, args, 3, depth);
    if (name == "_rebuild_meta_tensor_no_storage") return metaTensor(name, args);
  }
  if (callee.isGlobal("torch.nn.parameter", "Parameter")) return parameter("Parameter", args, 1, depth);
  if (callee.isGlobal("torch._tensor", "_rebuild_from_type_v2")) return fromType("_rebuild_from_type_v2", args, depth);
  return std::optional<TensorInfo>();
}

Recognized recognizeValue(const Value& value, int depth) {
  if (value.kind != ValueKind::kCall || value.callee() == nullptr || value.args() == nullptr) {
    return std::optional<TensorInfo>();
  }
  return recognizeCall(*value.callee(), *value.args(), depth);
}

}  // namespace

// ('storage', storage_type, key, location, numel[, view_metadata]) -- the zip format's 5-tuple
// and the legacy format's 6-tuple.
Result<StorageId> readStorageId(const Value& pid) {
  if (pid.kind != ValueKind::kTuple || pid.items.size() < 5) {
    return makeError("storage persistent id is not a 5-tuple");
  }
  const Args& fields = pid.items;
  const bool tagged = (fields[0]->kind == ValueKind::kString || fields[0]->kind == ValueKind::kBytes) &&
                      fields[0]->text == "storage";
  if (!tagged) return makeError("persistent id does not start with 'storage'");
  const Value* type = fields[1];
  if (type->kind != ValueKind::kGlobal || type->name().find("Storage") == std::string::npos) {
    return makeError("persistent id names no storage class");
  }
  StorageId storage;
  if (!isUntypedStorage(type->name())) {
    storage.dtype = dtypeFromStorageClass(type->name());
    if (!storage.dtype) return makeError("unknown storage class " + type->dottedName());
  }
  if (!fields[2]->isString()) return makeError("storage key is not a string");
  if (!fields[3]->isString()) return makeError("storage location is not a string");
  if (!readInt(fields[4], &storage.numel) || storage.numel < 0) {
    return makeError("storage size is not a non-negative integer");
  }
  storage.key = fields[2]->text;
  storage.location = fields[3]->text;
  if (fields.size() > 5 && fields[5]->kind != ValueKind::kNone) {
    const Value& view = *fields[5];
    StorageId::View parsed;
    if (view.kind != ValueKind::kTuple || view.items.size() != 3 || !view.items[0]->isString() ||
        !readInt(view.items[1], &parsed.offset) || !readInt(view.items[2], &parsed.numel) || parsed.offset < 0 ||
        parsed.numel < 0) {
      return makeError("storage view metadata is not (key, offset, size)");
    }
    parsed.key = view.items[0]->text;
    storage.view = std::move(parsed);
  }
  return storage;
}

Recognized recognizeTensor(const Value& value) { return recognizeValue(value, 0); }

}  // namespace ckptlint::formats
