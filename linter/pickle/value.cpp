#include "linter/pickle/value.h"

namespace ckptlint::pickle {

const char* kindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNone: return "None";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "int";
    case ValueKind::kFloat: return "float";
    case ValueKind::kString: return "str";
    case ValueKind::kBytes: return "bytes";
    case ValueKind::kTuple: return "tuple";
    case ValueKind::kList: return "list";
    case ValueKind::kDict: return "dict";
    case ValueKind::kSet: return "set";
    case ValueKind::kFrozenSet: return "frozenset";
    case ValueKind::kGlobal: return "global";
    case ValueKind::kCall: return "object";
    case ValueKind::kPersistentId: return "persistent id";
  }
  return "?";
}

bool sameScalarKey(const Value& a, const Value& b) {
  auto asInt = [](const Value& v, int64_t* out) {
    if (v.kind == ValueKind::kInt && !v.big_int) {
      *out = v.integer;
      return true;
    }
    if (v.kind == ValueKind::kBool) {  // True == 1 in Python, as a dict key too
      *out = v.boolean ? 1 : 0;
      return true;
    }
    return false;
  };
  int64_t left = 0;
  int64_t right = 0;
  if (asInt(a, &left) && asInt(b, &right)) return left == right;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::kString:
    case ValueKind::kBytes: return a.text == b.text;
    case ValueKind::kInt: return a.big_int && b.big_int && a.text == b.text;
    case ValueKind::kNone: return true;
    default: return false;
  }
}

}  // namespace ckptlint::pickle
