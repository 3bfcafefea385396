#include <sstream>

#include "linter/core/printable.h"
#include "linter/core/state_dict_roles.h"
#include "reports/inspect_report.h"
#include "reports/text_table.h"

namespace ckptlint::reports {
namespace {

std::string humanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  std::ostringstream out;
  if (unit == 0) {
    out << bytes << " B";
  } else {
    out.precision(value < 10 ? 2 : value < 100 ? 1 : 0);
    out << std::fixed << value << ' ' << units[unit];
  }
  return out.str();
}

std::string listOf(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + "]";
}

void writeSummary(const Checkpoint& checkpoint, std::ostream& out) {
  out << printable(checkpoint.file) << '\n';
  out << "  format          " << checkpoint.format;
  if (checkpoint.pickle_protocol > 0) out << ", pickle protocol " << checkpoint.pickle_protocol;  // pickle-based formats
  out << '\n';
  out << "  size            " << humanBytes(checkpoint.file_size) << '\n';
  if (!checkpoint.archive_root.empty()) out << "  archive root    " << printable(checkpoint.archive_root) << '\n';
  out << "  byte order      " << (checkpoint.byteorder.empty() ? "little (no byteorder record)" : checkpoint.byteorder)
      << '\n';
  out << "  tensors         " << checkpoint.tensors.size() << '\n';
  out << "  globals         ";
  const std::vector<std::string> globals = checkpoint.distinctGlobals();
  for (std::size_t i = 0; i < globals.size(); ++i) out << (i > 0 ? "\n                  " : "") << printable(globals[i]);
  out << (globals.empty() ? "(none)\n" : "\n");
}

void writeStateDicts(const Checkpoint& checkpoint, std::ostream& out) {
  out << "\nState dicts (" << checkpoint.state_dicts.size() << ")\n";
  if (checkpoint.state_dicts.empty()) {
    out << "  none: no mapping of string keys to tensors\n";
    return;
  }
  // The first is the one `check` takes without --state-dict.
  TextTable table({"path", "tensors", "module metadata", "role"});
  for (const StateDict& state_dict : checkpoint.state_dicts) {
    std::string role = roleName(stateDictRole(state_dict.path));
    if (&state_dict == &checkpoint.state_dicts.front()) role += " (checked by default)";
    table.addRow({displayPath(state_dict.path), std::to_string(state_dict.tensors.size()),
                  state_dict.has_metadata ? "yes" : "no", role});
  }
  table.write(out, "  ");
  if (checkpoint.optimizer_states.empty()) return;
  out << "\nOptimizer states (" << checkpoint.optimizer_states.size() << ")\n";
  TextTable optimizers({"path", "parameters", "groups", "with state"});
  for (const OptimizerState& optimizer : checkpoint.optimizer_states) {
    std::size_t parameters = 0;
    for (const std::vector<int64_t>& group : optimizer.param_groups) parameters += group.size();
    optimizers.addRow({displayPath(optimizer.path), std::to_string(parameters),
                       std::to_string(optimizer.param_groups.size()), std::to_string(optimizer.state.size())});
  }
  optimizers.write(out, "  ");
}

void writeRecords(const Checkpoint& checkpoint, std::ostream& out) {
  out << "\nRecords (" << checkpoint.records.size() << ")\n";
  TextTable table({"name", "offset", "size", "compression"});
  for (const ArchiveRecord& record : checkpoint.records) {
    table.addRow({record.name, std::to_string(record.data_offset), std::to_string(record.size),
                  record.method == 0 ? "stored" : record.method == 8 ? "deflated" : "method " + std::to_string(record.method)});
  }
  table.write(out, "  ");
}

// Where a tensor's bytes are: a zip record (data/KEY), or a byte range of the file (formats
// without records, e.g. safetensors); prefixed by the shard's file name in a sharded set.
std::string storageLabel(const Checkpoint& checkpoint, const TensorInfo& tensor) {
  // Legacy files have no records, only storages after the pickles, named as in `records`.
  const std::string prefix = checkpoint.format == "torch-legacy" ? "storage:" : "data/";
  std::string label = tensor.storage_key.empty() ? "-" : prefix + tensor.storage_key;
  if (tensor.rebuild_function.empty() && tensor.record) {
    label = "bytes " + std::to_string(tensor.record->offset) + "+" + std::to_string(tensor.record->size);
  }
  if (tensor.shard >= 0) {
    const std::string& shard = checkpoint.shards[static_cast<std::size_t>(tensor.shard)];
    label = shard.substr(shard.find_last_of('/') + 1) + ": " + label;
  }
  return label;
}

void writeMetadata(const Checkpoint& checkpoint, std::ostream& out) {
  if (checkpoint.metadata.empty()) return;
  out << "\nMetadata (" << checkpoint.metadata.size() << ")\n";
  for (const auto& [key, value] : checkpoint.metadata) out << "  " << printable(key) << ": " << printable(value) << '\n';
}

void writeShards(const Checkpoint& checkpoint, std::ostream& out) {
  if (checkpoint.shards.empty()) return;
  out << "\nShards (" << checkpoint.shards.size() << ")\n";
  for (const std::string& shard : checkpoint.shards) out << "  " << printable(shard) << '\n';
}

void writeTensors(const Checkpoint& checkpoint, std::ostream& out) {
  out << "\nTensors (" << checkpoint.tensors.size() << ")\n";
  TextTable table({"path", "dtype", "shape", "stride", "offset", "device", "storage", "kind"});
  for (const TensorInfo& tensor : checkpoint.tensors) {
    table.addRow({displayPath(tensor.path), std::string(name(tensor.dtype)), listOf(tensor.shape), listOf(tensor.stride),
                  std::to_string(tensor.storage_offset), tensor.device,
                  storageLabel(checkpoint, tensor),
                  tensor.is_parameter ? "parameter" : "tensor"});
  }
  table.write(out, "  ");
}

void writeNotes(const Checkpoint& checkpoint, std::ostream& out) {
  if (checkpoint.issues.empty()) return;
  out << "\nNotes (" << checkpoint.issues.size() << ")\n";
  for (const ReadIssue& issue : checkpoint.issues) out << "  - " << printable(issue.message) << '\n';
}

}  // namespace

void writeInspectText(const Checkpoint& checkpoint, std::ostream& out) {
  writeSummary(checkpoint, out);
  writeStateDicts(checkpoint, out);
  writeTensors(checkpoint, out);
  writeShards(checkpoint, out);
  writeMetadata(checkpoint, out);
  if (!checkpoint.records.empty()) writeRecords(checkpoint, out);
  writeNotes(checkpoint, out);
}

}  // namespace ckptlint::reports
