// An ObjectPath as a JSON array of its elements (strings, ints, bools keep their JSON type),
// shared by every JSON-shaped report.
#pragma once

#include "linter/core/object_path.h"
#include "reports/json_writer.h"

namespace ckptlint::reports {

void writeObjectPath(JsonWriter& json, const ObjectPath& path);

}  // namespace ckptlint::reports
