// Test tool: reads a raw pickle file with ckptlint's reader and prints the value tree as JSON,
// so tests can rebuild the object in Python and compare it with what was pickled.
// Shared nodes are printed once with an "id" and referenced as {"ref": id} afterwards.
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "linter/pickle/reader.h"

namespace {

using ckptlint::pickle::Value;
using ckptlint::pickle::ValueKind;
using nlohmann::json;

class Dumper {
 public:
  json dump(const Value* value) {
    if (value == nullptr) return nullptr;
    const bool container = value->kind >= ValueKind::kTuple;
    if (container) {
      auto found = ids_.find(value);
      if (found != ids_.end()) return json{{"ref", found->second}};
      ids_.emplace(value, ids_.size());
    }
    json out;
    if (container) out["id"] = ids_.at(value);
    switch (value->kind) {
      case ValueKind::kNone: return json{{"none", true}};
      case ValueKind::kBool: return json{{"bool", value->boolean}};
      case ValueKind::kInt: return json{{"int", value->big_int ? value->text : std::to_string(value->integer)}};
      case ValueKind::kFloat: return json{{"float", value->real}};
      case ValueKind::kString: return json{{"str", hex(value->text)}};  // may hold surrogates
      case ValueKind::kBytes: return json{{"bytes", hex(value->text)}};
      case ValueKind::kTuple: out["tuple"] = list(value->items); return out;
      case ValueKind::kList: out["list"] = list(value->items); return out;
      case ValueKind::kSet: out["set"] = list(value->items); return out;
      case ValueKind::kFrozenSet: out["frozenset"] = list(value->items); return out;
      case ValueKind::kDict: out["dict"] = entries(*value); return out;
      case ValueKind::kGlobal: out["global"] = {value->text, value->name()}; return out;
      case ValueKind::kPersistentId: out["persid"] = list(value->items); return out;
      case ValueKind::kCall:
        out["call"] = list(value->items);
        out["kind"] = callKind(value->call_kind);
        out["entries"] = entries(*value);
        out["appended"] = list(value->appended());
        out["state"] = dump(value->state());
        return out;
    }
    return out;
  }

 private:
  json list(const ckptlint::pickle::ValueList& items) {
    json out = json::array();
    for (const Value* item : items) out.push_back(dump(item));
    return out;
  }
  json entries(const Value& value) {
    json out = json::array();
    for (const auto& [key, item] : value.entries()) out.push_back(json::array({dump(key), dump(item)}));
    return out;
  }
  static const char* callKind(ckptlint::pickle::CallKind kind) {
    switch (kind) {
      case ckptlint::pickle::CallKind::kReduce: return "reduce";
      case ckptlint::pickle::CallKind::kNewObj: return "newobj";
      case ckptlint::pickle::CallKind::kNewObjEx: return "newobj_ex";
      case ckptlint::pickle::CallKind::kObj: return "obj";
      case ckptlint::pickle::CallKind::kInst: return "inst";
    }
    return "?";
  }
  static std::string hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return out;
  }
  std::unordered_map<const Value*, std::size_t> ids_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: pickle_dump FILE\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ckptlint::Result<ckptlint::pickle::Pickle> pickle = ckptlint::pickle::readPickle(bytes);
  if (!pickle) {
    std::cerr << pickle.error().message << '\n';
    return 2;
  }
  json globals = json::array();
  for (const auto& global : pickle->globals()) globals.push_back({global.module, global.name, global.resolved});
  const json document{{"root", Dumper().dump(pickle->root())}, {"globals", globals}, {"protocol", pickle->protocol()},
                      {"end", pickle->endOffset()}};
  std::cout << document.dump() << '\n';
  return 0;
}
