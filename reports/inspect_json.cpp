#include <nlohmann/json.hpp>

#include "reports/inspect_report.h"

namespace ckptlint::reports {

using nlohmann::json;

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

void writeInspectJson(const Checkpoint& checkpoint, std::ostream& out) {
  json records = json::array();
  for (const ArchiveRecord& record : checkpoint.records) {
    records.push_back({{"name", record.name},
                       {"data_offset", record.data_offset},
                       {"size", record.size},
                       {"stored_size", record.stored_size},
                       {"compression", record.method == 0 ? "stored" : record.method == 8 ? "deflated" : "other"},
                       {"crc32", record.crc32}});
  }
  json references = json::array();
  for (const GlobalReference& reference : checkpoint.globals) {
    references.push_back({{"module", reference.module},
                          {"name", reference.name},
                          {"record", reference.record},
                          {"offset", reference.offset},
                          {"resolved", reference.resolved}});
  }
  json state_dicts = json::array();
  for (const StateDict& state_dict : checkpoint.state_dicts) {
    state_dicts.push_back({{"path", pathJson(state_dict.path)},
                           {"tensors", state_dict.tensors.size()},
                           {"conventional", state_dict.conventional},
                           {"module_metadata", state_dict.has_metadata}});
  }
  json tensors = json::array();
  for (const TensorInfo& tensor : checkpoint.tensors) tensors.push_back(tensorJson(tensor));

  json document{{"file", checkpoint.file},
                {"format", checkpoint.format},
                {"size", checkpoint.file_size},
                {"archive_root", checkpoint.archive_root},
                {"byteorder", checkpoint.byteorder.empty() ? json(nullptr) : json(checkpoint.byteorder)},
                {"pickle_protocol", checkpoint.pickle_protocol},
                {"records", std::move(records)},
                {"globals", checkpoint.distinctGlobals()},
                {"global_references", std::move(references)},
                {"state_dicts", std::move(state_dicts)},
                {"tensors", std::move(tensors)},
                {"notes", checkpoint.notes}};
  // Invalid UTF-8 cannot occur (the reader validates strings), but never throw from output.
  out << document.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace ckptlint::reports
