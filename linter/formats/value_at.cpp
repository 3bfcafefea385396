#include "linter/formats/value_at.h"

#include <variant>

#include "linter/formats/containers.h"

namespace ckptlint::formats {

using pickle::Value;
using pickle::ValueKind;

namespace {

bool keyMatches(const Value& key, const PathElement& element) {
  if (const auto* text = std::get_if<std::string>(&element)) return key.isString() && key.text == *text;
  if (const auto* number = std::get_if<int64_t>(&element)) {
    return (key.isInt() && key.integer == *number) || (key.kind == ValueKind::kBool && int64_t{key.boolean} == *number);
  }
  const bool flag = std::get<bool>(element);
  return (key.kind == ValueKind::kBool && key.boolean == flag) || (key.isInt() && key.integer == int64_t{flag});
}

const Value* inEntries(const Entries& entries, const PathElement& element) {
  for (const auto& [key, value] : entries) {
    if (keyMatches(*key, element)) return value;
  }
  return nullptr;
}

const Value* atIndex(const pickle::ValueList& items, const PathElement& element) {
  const auto* index = std::get_if<int64_t>(&element);
  if (index == nullptr || *index < 0 || static_cast<uint64_t>(*index) >= items.size()) return nullptr;
  return items[static_cast<std::size_t>(*index)];
}

// An object's attributes: its BUILD state (a dict, or a (dict, slots) pair), then items set on it.
const Value* attribute(const Value& object, const PathElement& element) {
  if (object.state() != nullptr) {
    if (const Entries* state = asMapping(*object.state())) {
      if (const Value* found = inEntries(*state, element)) return found;
    } else if (const auto* parts = asSequence(*object.state())) {
      for (const Value* part : *parts) {
        const Entries* attributes = part != nullptr ? asMapping(*part) : nullptr;
        if (attributes == nullptr) continue;
        if (const Value* found = inEntries(*attributes, element)) return found;
      }
    }
  }
  if (const Value* found = inEntries(object.entries(), element)) return found;
  return atIndex(object.appended(), element);
}

}  // namespace

const Value* valueAt(const Value& root, const ObjectPath& path) {
  const Value* current = &root;
  for (const PathElement& element : path) {
    if (const Entries* entries = asMapping(*current)) {
      current = inEntries(*entries, element);
    } else if (const auto* items = asSequence(*current)) {
      current = atIndex(*items, element);
    } else if (current->kind == ValueKind::kCall) {
      current = attribute(*current, element);
    } else {
      current = nullptr;
    }
    if (current == nullptr) return nullptr;
  }
  return current;
}

}  // namespace ckptlint::formats
