// The parts of a finding that the JSON and SARIF reports write in the same shape, so that a
// tool reading `properties` of a SARIF result sees exactly what the JSON report says.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "linter/core/finding.h"
#include "reports/json_writer.h"

namespace ckptlint::reports {

/// The state dict's path as an array, or null when the finding has none.
void writeStateDictPath(JsonWriter& json, const std::optional<ObjectPath>& state_dict);
void writeStringList(JsonWriter& json, const std::vector<std::string>& strings);
/// {"op": "rename-key", "from", "to"} or {"op": "drop-key", "key"}
void writeEdit(JsonWriter& json, const Edit& edit);
/// [{"applicability", "description", "edits": [{"op": "rename-key", "from", "to"} | {"op": "drop-key", "key"}]}]
void writeFixes(JsonWriter& json, const std::vector<Fix>& fixes);

}  // namespace ckptlint::reports
