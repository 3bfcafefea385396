// JSON report of `ckptlint inspect`: one member per line, one array element per line, streamed
// so that a checkpoint with 100,000 tensors never becomes a document in memory.
#include "reports/inspect_report.h"

#include "linter/core/state_dict_roles.h"
#include "reports/json_writer.h"
#include "reports/object_path_json.h"

namespace ckptlint::reports {
namespace {

void writeIntList(JsonWriter& json, const std::vector<int64_t>& values) {
  json.beginArray();
  for (int64_t value : values) json.value(value);
  json.endArray();
}

// Sharded checkpoints: the file holding a tensor's bytes, as Checkpoint::shards names it.
void writeTensor(JsonWriter& json, const Checkpoint& checkpoint, const TensorInfo& tensor) {
  json.beginObject();
  json.key("path");
  writeObjectPath(json, tensor.path);
  json.key("dtype").value(name(tensor.dtype));
  json.key("shape");
  writeIntList(json, tensor.shape);
  json.key("stride");
  writeIntList(json, tensor.stride);
  json.key("storage_offset").value(tensor.storage_offset);
  json.key("device").value(tensor.device);
  json.key("parameter").value(tensor.is_parameter);
  json.key("requires_grad").value(tensor.requires_grad);
  json.key("rebuild").value(tensor.rebuild_function);
  if (tensor.shard >= 0) json.key("shard").value(checkpoint.shards[static_cast<std::size_t>(tensor.shard)]);
  if (!tensor.storage_key.empty()) {
    json.key("storage").beginObject();
    json.key("key").value(tensor.storage_key);
    json.key("nbytes").value(tensor.storage_nbytes);
    json.key("data_offset");
    if (tensor.record) {
      json.value(tensor.record->offset);
      json.key("record_size").value(tensor.record->size);
    } else {
      json.null();
    }
    json.endObject();
  }
  json.endObject();
}

void writeRecord(JsonWriter& json, const ArchiveRecord& record) {
  json.beginObject();
  json.key("name").value(record.name);
  json.key("data_offset").value(record.data_offset);
  json.key("size").value(record.size);
  json.key("stored_size").value(record.stored_size);
  json.key("compression").value(record.method == 0 ? "stored" : record.method == 8 ? "deflated" : "other");
  json.key("crc32").value(uint64_t{record.crc32});
  json.endObject();
}

void writeReference(JsonWriter& json, const GlobalReference& reference) {
  json.beginObject();
  json.key("module").value(reference.module);
  json.key("name").value(reference.name);
  json.key("record").value(reference.record);
  json.key("offset").value(reference.offset);
  json.key("resolved").value(reference.resolved);
  json.endObject();
}

void writeStateDict(JsonWriter& json, const StateDict& state_dict) {
  json.beginObject();
  json.key("path");
  writeObjectPath(json, state_dict.path);
  json.key("tensors").value(uint64_t{state_dict.tensors.size()});
  json.key("conventional").value(state_dict.conventional);
  json.key("role").value(roleName(stateDictRole(state_dict.path)));
  json.key("module_metadata").value(state_dict.has_metadata);
  json.endObject();
}

void writeOptimizerState(JsonWriter& json, const OptimizerState& optimizer) {
  json.beginObject();
  json.key("path");
  writeObjectPath(json, optimizer.path);
  json.key("param_groups").beginArray();
  uint64_t parameters = 0;
  for (const std::vector<int64_t>& group : optimizer.param_groups) {
    json.value(uint64_t{group.size()});
    parameters += group.size();
  }
  json.endArray();
  json.key("parameters").value(parameters);
  json.key("parameters_with_state").value(uint64_t{optimizer.state.size()});
  if (!optimizer.problem.empty()) json.key("problem").value(optimizer.problem);
  json.endObject();
}

// A top-level member holding a list, one element per line.
template <class Range, class WriteElement>
void writeList(JsonWriter& json, const char* name, const Range& range, WriteElement write_element) {
  json.nextOnNewLine(2).key(name).beginArray();
  for (const auto& element : range) write_element(json.nextOnNewLine(4), element);
  json.endArray(2);
}

void writeString(JsonWriter& json, const std::string& text) { json.value(text); }

// Notes stay plain strings (the messages); `read_issues` gives the same with kind and place.
void writeIssueMessage(JsonWriter& json, const ReadIssue& issue) { json.value(issue.message); }

void writeIssue(JsonWriter& json, const ReadIssue& issue) {
  json.beginObject();
  json.key("kind").value(issueKindName(issue.kind));
  json.key("record").value(issue.record);
  json.key("offset").value(issue.offset);
  json.key("message").value(issue.message);
  json.endObject();
}

}  // namespace

void writeInspectJson(const Checkpoint& checkpoint, std::ostream& out) {
  JsonWriter json(out);
  json.beginObject();
  json.nextOnNewLine(2).key("file").value(checkpoint.file);
  json.nextOnNewLine(2).key("format").value(checkpoint.format);
  json.nextOnNewLine(2).key("size").value(checkpoint.file_size);
  json.nextOnNewLine(2).key("archive_root").value(checkpoint.archive_root);
  json.nextOnNewLine(2).key("byteorder");
  checkpoint.byteorder.empty() ? json.null() : json.value(checkpoint.byteorder);
  json.nextOnNewLine(2).key("pickle_protocol").value(checkpoint.pickle_protocol);
  writeList(json, "globals", checkpoint.distinctGlobals(), writeString);
  writeList(json, "state_dicts", checkpoint.state_dicts, writeStateDict);
  writeList(json, "optimizer_states", checkpoint.optimizer_states, writeOptimizerState);
  writeList(json, "tensors", checkpoint.tensors,
            [&checkpoint](JsonWriter& out, const TensorInfo& tensor) { writeTensor(out, checkpoint, tensor); });
  if (!checkpoint.shards.empty()) writeList(json, "shards", checkpoint.shards, writeString);
  if (!checkpoint.metadata.empty()) {  // safetensors' __metadata__
    json.nextOnNewLine(2).key("metadata").beginObject();
    for (const auto& [key, value] : checkpoint.metadata) json.nextOnNewLine(4).key(key).value(value);
    json.endObject(2);
  }
  writeList(json, "records", checkpoint.records, writeRecord);
  writeList(json, "global_references", checkpoint.globals, writeReference);
  writeList(json, "notes", checkpoint.issues, writeIssueMessage);
  writeList(json, "read_issues", checkpoint.issues, writeIssue);
  json.endObject(0);
  out << '\n';
}

}  // namespace ckptlint::reports
