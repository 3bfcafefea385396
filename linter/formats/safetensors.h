// The safetensors format (torch-format.md §10): an 8-byte little-endian header length N, N bytes
// of UTF-8 JSON describing each tensor, then the tensors' bytes. The header is validated the
// way the reference reader (huggingface/safetensors, tensor.rs) does, plus a few refusals of
// our own (duplicate names, unknown fields), because a reader that guesses is a reader two
// tools can disagree about.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "linter/core/checkpoint.h"
#include "linter/core/dtype.h"
#include "linter/core/result.h"

namespace ckptlint::formats {

/// The reference reader's bound on N.
constexpr uint64_t kMaxSafetensorsHeaderSize = 100'000'000;

/// One header entry, as written.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "BF16", ...
  std::vector<uint64_t> shape;
  uint64_t begin = 0;  // data_offsets, relative to the start of the byte buffer; end exclusive
  uint64_t end = 0;
};

struct SafetensorsHeader {
  uint64_t header_size = 0;  // N
  uint64_t data_start = 0;   // 8 + N: file offset of the byte buffer
  std::vector<SafetensorsEntry> tensors;  // sorted by data_offsets: the buffer's order
  std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__", header order
};

/// Parses and validates the header of a whole safetensors file (every rule of the reference
/// reader: length bound, UTF-8, JSON, known dtypes, sizes, contiguous offsets from 0, the
/// buffer ending exactly at the file's end). Errors are one line naming the tensor and numbers.
Result<SafetensorsHeader> parseSafetensorsHeader(std::string_view file);

/// Reads a safetensors file into a Checkpoint: one state dict at the root, every tensor
/// contiguous on "cpu", its record the file range of its bytes, `__metadata__` kept.
/// `file` is the whole mapped file; no tensor byte is touched.
Result<Checkpoint> readSafetensors(std::string_view file, const std::string& path);

/// The safetensors spelling of a PyTorch dtype ("F32"), nullopt for dtypes the format lacks.
std::optional<std::string_view> safetensorsDTypeName(DType dtype);

/// The reference writer sorts tensors by descending dtype alignment (the order of its Dtype
/// enum), then by name. This is the dtype's place in that enum; -1 for an unknown name.
int safetensorsDTypeRank(std::string_view dtype_name);

}  // namespace ckptlint::formats
