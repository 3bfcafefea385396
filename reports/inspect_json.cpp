#include <nlohmann/json.hpp>

#include "reports/inspect_report.h"

namespace ckptlint::reports {

using json = nlohmann::ordered_json;  // members in the order written: path first

namespace {

json pathJson(const ObjectPath& path) {
  json out = json::array();
  for (const PathElement& element : path) {
    std::visit([&](const auto& value) { out.push_back(value); }, element);
  }
  return out;
}

json tensorJson(const TensorInfo& tensor) {
  json out{{"path", pathJson(tensor.path)},
           {"dtype", name(tensor.dtype)},
           {"shape", tensor.shape},
           {"stride", tensor.stride},
           {"storage_offset", tensor.storage_offset},
           {"device", tensor.device},
           {"parameter", tensor.is_parameter},
           {"requires_grad", tensor.requires_grad},
           {"rebuild", tensor.rebuild_function}};
  if (!tensor.storage_key.empty()) {
    json storage{{"key", tensor.storage_key}, {"nbytes", tensor.storage_nbytes}};
    if (tensor.record) {
      storage["data_offset"] = tensor.record->offset;
      storage["record_size"] = tensor.record->size;
    } else {
      storage["data_offset"] = nullptr;
    }
    out["storage"] = std::move(storage);
  }
  return out;
}

}  // namespace

namespace {

// Streams one JSON object, one member per line and one array element per line, so that a
// checkpoint with 100,000 tensors never becomes one large in-memory document.
class JsonObjectStream {
 public:
  explicit JsonObjectStream(std::ostream& out) : out_(out) { out_ << '{'; }
  ~JsonObjectStream() { out_ << "\n}\n"; }

  void member(const char* name, const json& value) {
    key(name);
    out_ << dump(value);
  }

  template <class Range, class ToJson>
  void array(const char* name, const Range& range, ToJson to_json) {
    key(name);
    out_ << '[';
    bool first = true;
    for (const auto& element : range) {
      out_ << (first ? "\n    " : ",\n    ") << dump(to_json(element));
      first = false;
    }
    out_ << (first ? "]" : "\n  ]");
  }

 private:
  void key(const char* name) {
    out_ << (first_member_ ? "\n  " : ",\n  ") << json(name).dump() << ": ";
    first_member_ = false;
  }
  // The reader validates strings, but output must never throw on odd bytes.
  static std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

  std::ostream& out_;
  bool first_member_ = true;
};

json recordJson(const ArchiveRecord& record) {
  return {{"name", record.name},
          {"data_offset", record.data_offset},
          {"size", record.size},
          {"stored_size", record.stored_size},
          {"compression", record.method == 0 ? "stored" : record.method == 8 ? "deflated" : "other"},
          {"crc32", record.crc32}};
}

json referenceJson(const GlobalReference& reference) {
  return {{"module", reference.module},
          {"name", reference.name},
          {"record", reference.record},
          {"offset", reference.offset},
          {"resolved", reference.resolved}};
}

json stateDictJson(const StateDict& state_dict) {
  return {{"path", pathJson(state_dict.path)},
          {"tensors", state_dict.tensors.size()},
          {"conventional", state_dict.conventional},
          {"module_metadata", state_dict.has_metadata}};
}

}  // namespace

void writeInspectJson(const Checkpoint& checkpoint, std::ostream& out) {
  JsonObjectStream document(out);
  document.member("file", checkpoint.file);
  document.member("format", checkpoint.format);
  document.member("size", checkpoint.file_size);
  document.member("archive_root", checkpoint.archive_root);
  document.member("byteorder", checkpoint.byteorder.empty() ? json(nullptr) : json(checkpoint.byteorder));
  document.member("pickle_protocol", checkpoint.pickle_protocol);
  document.member("globals", checkpoint.distinctGlobals());
  document.array("state_dicts", checkpoint.state_dicts, stateDictJson);
  document.array("tensors", checkpoint.tensors, tensorJson);
  document.array("records", checkpoint.records, recordJson);
  document.array("global_references", checkpoint.globals, referenceJson);
  document.member("notes", checkpoint.notes);
}

}  // namespace ckptlint::reports
