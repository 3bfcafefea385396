#include "linter/fix/rewrite_safetensors.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "linter/core/printable.h"
#include "linter/core/rule.h"
#include "linter/core/utf8.h"
#include "linter/formats/safetensors.h"
#include "linter/io/write_all.h"

namespace ckptlint::fix {
namespace {

constexpr std::size_t kCopyChunk = std::size_t{4} << 20;  // bounded memory whatever the file size

struct OutputTensor {
  std::string name;
  std::string_view dtype;
  const TensorInfo* tensor = nullptr;
};

// A JSON string literal: nlohmann escapes as serde_json does (quotes, backslashes, control
// characters); names are valid UTF-8 (the reader's, and plannedTensors checks new ones), so
// dump() cannot throw.
std::string jsonString(const std::string& text) { return nlohmann::json(text).dump(); }

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i > 0 ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

// The reference writer's header: compact JSON, `__metadata__` first, padded with spaces to a
// multiple of 8 bytes so the buffer starts 8-aligned.
std::string headerFor(const std::vector<OutputTensor>& tensors, const Checkpoint& checkpoint) {
  std::string header = "{";
  if (!checkpoint.metadata.empty()) {
    header += "\"__metadata__\":{";
    for (std::size_t i = 0; i < checkpoint.metadata.size(); ++i) {
      header += (i > 0 ? "," : "") + jsonString(checkpoint.metadata[i].first) + ":" + jsonString(checkpoint.metadata[i].second);
    }
    header += "}";
  }
  uint64_t offset = 0;
  for (const OutputTensor& out : tensors) {
    if (header.size() > 1) header += ",";
    const uint64_t size = out.tensor->record->size;
    header += jsonString(out.name) + ":{\"dtype\":\"" + std::string(out.dtype) + "\",\"shape\":" + shapeText(out.tensor->shape) +
              ",\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + size) + "]}";
    offset += size;
  }
  header += "}";
  header.resize((header.size() + 7) / 8 * 8, ' ');
  return header;
}

// The kept tensors under their new names, in the input's buffer order: for a file the reference
// wrote that is descending dtype alignment, then name -- which stripping or adding a prefix
// keeps -- and a tensor keeps its place, so the rewrite changes only what the fix says. Any
// subset of a buffer sorted by descending alignment keeps every tensor aligned.
Result<std::vector<OutputTensor>> plannedTensors(const Checkpoint& checkpoint, const EditPlan& plan) {
  if (!plan.state_dict.empty()) return makeError("a safetensors file has one state dict, at the root");
  std::map<std::string, const Edit*> edits;
  for (const Edit& edit : plan.edits) edits.emplace(edit.from, &edit);
  std::vector<OutputTensor> tensors;
  std::unordered_set<std::string> names;
  std::size_t edited = 0;
  for (const TensorInfo& tensor : checkpoint.tensors) {
    OutputTensor out{std::string(stateDictKey(tensor)), {}, &tensor};
    const auto edit = edits.find(out.name);
    if (edit != edits.end()) {
      ++edited;
      if (edit->second->op == Edit::Op::kDropKey) continue;
      out.name = edit->second->to;
      // A new name comes from the model (a pickle key may hold a lone surrogate): the header
      // must stay valid UTF-8, as the reader (and the reference) demand.
      if (!isValidUtf8(out.name, /*allow_surrogates=*/false)) {
        return makeError("key '" + printable(out.name) + "' is not valid UTF-8, which a safetensors header needs; not rewritten");
      }
    }
    const std::optional<std::string_view> dtype = formats::safetensorsDTypeName(tensor.dtype);
    if (!dtype || !tensor.record) return makeError("tensor '" + out.name + "' cannot be written as safetensors");
    out.dtype = *dtype;
    if (!names.insert(out.name).second) return makeError("the result would hold key '" + out.name + "' twice; not rewritten");
    tensors.push_back(std::move(out));
  }
  if (edited != edits.size()) return makeError("an edit names a key the file does not hold; not rewritten");
  return tensors;
}

std::optional<Error> copyBytes(const io::MappedFile& file, const ByteRange& range, int out_fd, std::string& buffer) {
  for (uint64_t done = 0; done < range.size;) {
    const std::size_t size = static_cast<std::size_t>(std::min<uint64_t>(kCopyChunk, range.size - done));
    if (!file.readAt(range.offset + done, size, &buffer)) return makeError("cannot read tensor bytes of the input");
    if (auto error = io::writeAll(out_fd, buffer)) return error;
    done += size;
  }
  return std::nullopt;
}

}  // namespace

Result<RewriteResult> rewriteSafetensors(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd) {
  if (!input.file) return makeError("safetensors rewrite: the input file is not mapped");
  Result<std::vector<OutputTensor>> tensors = plannedTensors(input.checkpoint, plan);
  if (!tensors) return tensors.error();
  const std::string header = headerFor(*tensors, input.checkpoint);
  std::string length(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) length[i] = static_cast<char>((uint64_t{header.size()} >> (8 * i)) & 0xFF);
  if (auto error = io::writeAll(out_fd, length)) return *error;
  if (auto error = io::writeAll(out_fd, header)) return *error;
  RewriteResult result;
  result.bytes_written = length.size() + header.size();
  std::string buffer;
  for (const OutputTensor& out : *tensors) {
    if (auto error = copyBytes(*input.file, *out.tensor->record, out_fd, buffer)) return *error;
    result.bytes_written += out.tensor->record->size;
  }
  return result;
}

}  // namespace ckptlint::fix
