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
  const std::string& name = callee->name();
  if (name == "restore_type_tag" || name == "build_intlist" || name == "build_tensorlist" ||
      name == "build_doublelist" || name == "build_boollist") {
    return args->items[0];
  }
  return nullptr;
}

}  // namespace

namespace {

// Containers may be wrapped (restore_type_tag inside restore_type_tag ...); follow a few levels.
constexpr int kMaxWrapping = 8;

const Value* unwrapAll(const Value& value) {
  const Value* current = &value;
  for (int level = 0; level <= kMaxWrapping; ++level) {
    const Value* inner = unwrapTorchScriptContainer(*current);
    if (inner == nullptr) return current;
    current = inner;
  }
  return nullptr;
}

}  // namespace

const Entries* asMapping(const Value& value) {
  const Value* target = unwrapAll(value);
  if (target == nullptr) return nullptr;
  if (target->kind == ValueKind::kDict) return &target->entries();
  const Value* callee = target->callee();
  if (callee == nullptr) return nullptr;
  // dict subclasses a checkpoint holds: OrderedDict() and defaultdict(factory), then SETITEMS.
  if (callee->isGlobal("collections", "OrderedDict") && isEmptyTuple(target->args())) return &target->entries();
  if (callee->isGlobal("collections", "defaultdict") && target->args() != nullptr &&
      target->args()->kind == ValueKind::kTuple && target->args()->items.size() <= 1) {
    return &target->entries();
  }
  return nullptr;
}

const pickle::ValueList* asSequence(const Value& value) {
  const Value* target = unwrapAll(value);
  if (target == nullptr) return nullptr;
  if (target->kind == ValueKind::kList || target->kind == ValueKind::kTuple) return &target->items;
  return nullptr;
}

const Value* lookup(const Entries& entries, std::string_view key) {
  for (const auto& [entry_key, entry_value] : entries) {
    if (entry_key->isString() && entry_key->text == key) return entry_value;
  }
  return nullptr;
}

const Value* moduleMetadata(const Value& mapping) {
  if (mapping.kind != ValueKind::kCall || mapping.state() == nullptr) return nullptr;
  const Entries* attributes = asMapping(*mapping.state());
  return attributes != nullptr ? lookup(*attributes, "_metadata") : nullptr;
}

}  // namespace ckptlint::formats
