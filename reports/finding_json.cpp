#include "reports/finding_json.h"

#include "reports/object_path_json.h"

namespace ckptlint::reports {

void writeEdit(JsonWriter& json, const Edit& edit) {
  json.beginObject();
  json.key("op").value(editOpName(edit.op));
  if (edit.op == Edit::Op::kDropKey) {
    json.key("key").value(edit.from);
  } else {
    json.key("from").value(edit.from);
    json.key("to").value(edit.to);
  }
  json.endObject();
}

void writeStateDictPath(JsonWriter& json, const std::optional<ObjectPath>& state_dict) {
  if (state_dict) {
    writeObjectPath(json, *state_dict);
  } else {
    json.null();
  }
}

void writeStringList(JsonWriter& json, const std::vector<std::string>& strings) {
  json.beginArray();
  for (const std::string& text : strings) json.value(text);
  json.endArray();
}

void writeFixes(JsonWriter& json, const std::vector<Fix>& fixes) {
  json.beginArray();
  for (const Fix& fix : fixes) {
    json.beginObject();
    json.key("applicability").value(applicabilityName(fix.applicability));
    json.key("description").value(fix.description);
    json.key("edits").beginArray();
    for (const Edit& edit : fix.edits) writeEdit(json, edit);
    json.endArray();
    json.endObject();
  }
  json.endArray();
}

}  // namespace ckptlint::reports
