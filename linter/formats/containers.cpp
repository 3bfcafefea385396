#include "linter/formats/containers.h"

namespace ckptlint::formats {

using pickle::Value;
using pickle::ValueKind;

namespace {

bool isEmptyTuple(const Value* value) {
  return value != nullptr && value->kind == ValueKind::kTuple && value->items.empty();
}

// TorchScript's C++ pickler wraps containers as restore_type_tag(container, "Dict[str, Tensor]")
// and lists as build_intlist([...]) etc.; the loaded object is the container itself.
const Value* unwrapTorchScriptContainer(const Value& value) {
  const Value* callee = value.callee();
  const Value* args = value.args();
  if (callee == nullptr || callee->kind != ValueKind::kGlobal || callee->text != "torch.jit._pickle") return nullptr;
  if (args == nullptr || args->kind != ValueKind::kTuple || args->items.empty()) return nullptr;
  const std::string& name = callee->name;
  if (name == "restore_type_tag" || name == "build_intlist" || name == "build_tensorlist" ||
      name == "build_doublelist" || name == "build_boollist") {
    return args->items[0];
  }
  return nullptr;
}

}  // namespace

const Entries* asMapping(const Value& value) {
  if (value.kind == ValueKind::kDict) return &value.entries;
  if (value.kind != ValueKind::kCall) return nullptr;
  const Value* callee = value.callee();
  if (callee != nullptr && callee->isGlobal("collections", "OrderedDict") && isEmptyTuple(value.args())) {
    return &value.entries;
  }
  if (const Value* inner = unwrapTorchScriptContainer(value)) return asMapping(*inner);
  return nullptr;
}

const std::vector<Value*>* asSequence(const Value& value) {
  if (value.kind == ValueKind::kList || value.kind == ValueKind::kTuple) return &value.items;
  if (value.kind != ValueKind::kCall) return nullptr;
  if (const Value* inner = unwrapTorchScriptContainer(value)) return asSequence(*inner);
  return nullptr;
}

const Value* lookup(const Entries& entries, std::string_view key) {
  for (const auto& [entry_key, entry_value] : entries) {
    if (entry_key->isString() && entry_key->text == key) return entry_value;
  }
  return nullptr;
}

const Value* moduleMetadata(const Value& mapping) {
  if (mapping.kind != ValueKind::kCall || mapping.state == nullptr) return nullptr;
  const Entries* attributes = asMapping(*mapping.state);
  return attributes != nullptr ? lookup(*attributes, "_metadata") : nullptr;
}

}  // namespace ckptlint::formats
