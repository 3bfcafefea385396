#include "reports/object_path_json.h"

#include <variant>

namespace ckptlint::reports {

void writeObjectPath(JsonWriter& json, const ObjectPath& path) {
  json.beginArray();
  for (const PathElement& element : path) {
    std::visit([&](const auto& value) { json.value(value); }, element);
  }
  json.endArray();
}

}  // namespace ckptlint::reports
