// Checkpoint: everything a static read learns about a checkpoint file, as plain data.
// Filled by a format reader (linter/formats), consumed by rules and reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linter/core/dtype.h"
#include "linter/core/object_path.h"
#include "linter/core/read_issue.h"

namespace ckptlint {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct TensorInfo {
  ObjectPath path;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
  int64_t storage_offset = 0;       // in elements, as torch's Tensor.storage_offset()
  std::string storage_key;          // "0" -> record data/0; empty when there is no storage
  std::string device;               // storage location as saved: "cpu", "cuda:1", "meta"
  uint64_t storage_nbytes = 0;      // whole storage, from the persistent id
  bool requires_grad = false;
  bool is_parameter = false;
  /// "torch._utils._rebuild_tensor_v2", ...: always a string literal (static storage).
  std::string_view rebuild_function;
  std::optional<ByteRange> record;  // where the storage bytes lie in the file, if found
  /// Which file holds `record`: -1 the checkpoint file itself; otherwise an index into
  /// Checkpoint::shards (sharded checkpoints read through an index file).
  int shard = -1;
};

/// Bytes of storage the tensor's view reaches: element size × (offset + 1 + Σ (size−1)·stride),
/// 0 when it has no elements. nullopt when a stride is negative or the arithmetic overflows —
/// views torch refuses to rebuild.
std::optional<uint64_t> storageBytesNeeded(const TensorInfo& tensor);

/// A string -> tensor mapping found in the object tree (a candidate state dict).
struct StateDict {
  ObjectPath path;
  std::vector<std::size_t> tensors;  // indices into Checkpoint::tensors, in key order
  bool conventional = false;         // the root, or under a conventional key ("model", ...)
  bool has_metadata = false;         // carries nn.Module's `_metadata` (module versions)
  /// `_metadata[module_prefix]["version"]` where it is an int ("" is the root module). Torch's
  /// BatchNorm fills a missing num_batches_tracked only when this is absent or below 2.
  std::map<std::string, int64_t> module_versions;
};

/// An optimizer's state_dict() found in the object tree: {"state": {id: {name: tensor, ...}},
/// "param_groups": [{"params": [id, ...], ...}, ...]}. Ids number the parameters in the order
/// they were given to the optimizer, group after group.
struct OptimizerState {
  struct ParamState {
    int64_t param_id = 0;
    /// Its tensors ("exp_avg", "momentum_buffer", "step", ...): name -> index into
    /// Checkpoint::tensors, in the file's order.
    std::vector<std::pair<std::string, std::size_t>> tensors;
  };
  ObjectPath path;                                 // ["optimizer"], ["optimizer_states", 0]
  std::vector<std::vector<int64_t>> param_groups;  // each group's parameter ids, in order
  std::vector<ParamState> state;                   // in the file's order
  /// What was not understood (a non-int id, params not a list): rules that compare the state
  /// with a model say so instead of guessing. Empty when the shape is the one torch writes.
  std::string problem;
};

/// One record of the container (zip entry) with where its data lies.
struct ArchiveRecord {
  std::string name;            // without the archive root folder
  uint64_t data_offset = 0;
  uint64_t stored_size = 0;    // bytes in the file
  uint64_t size = 0;           // bytes after decompression
  uint32_t crc32 = 0;
  uint16_t method = 0;         // 0 stored, 8 deflated
};

/// A GLOBAL / STACK_GLOBAL / INST reference met in a pickle (data.pkl, another pickle record
/// of the archive, or a pickle following another one's STOP).
struct GlobalReference {
  std::string module;
  std::string name;
  std::string record;   // the pickle it was found in, e.g. "data.pkl"
  uint64_t offset = 0;  // byte offset of the opcode inside that pickle
  bool resolved = true; // false when STACK_GLOBAL's operands were not plain strings
  std::string dotted() const { return module + "." + name; }
};

struct Checkpoint {
  std::string file;
  std::string format;           // "torch-zip", "torch-legacy", "torchscript", ...
  uint64_t file_size = 0;
  std::string archive_root;     // zip root folder, e.g. "snapshot-200"
  std::vector<ArchiveRecord> records;
  std::string byteorder;        // from the `byteorder` record; empty when absent
  int pickle_protocol = 0;
  std::vector<GlobalReference> globals;
  std::vector<TensorInfo> tensors;
  std::vector<StateDict> state_dicts;
  std::vector<OptimizerState> optimizer_states;  // in walk order
  /// Things that did not stop the read but that a reader should know (a storage record
  /// of the wrong size, trailing bytes after the pickle, ...). Integrity rules turn them
  /// into findings; `inspect` lists their messages as notes.
  std::vector<ReadIssue> issues;
  /// Sharded checkpoints (an index JSON naming shard files): the shard paths, in the order
  /// TensorInfo::shard refers to them. Empty for a single-file checkpoint.
  std::vector<std::string> shards;
  /// Free-form string -> string metadata the format carries (safetensors' `__metadata__`), in
  /// the order written.
  std::vector<std::pair<std::string, std::string>> metadata;

  /// Distinct dotted global names, in order of first reference.
  std::vector<std::string> distinctGlobals() const;
};

}  // namespace ckptlint
