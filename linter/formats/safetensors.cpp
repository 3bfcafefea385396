#include "linter/formats/safetensors.h"

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "linter/core/utf8.h"

namespace ckptlint::formats {
namespace {

using nlohmann::json;

struct SafetensorsDType {
  std::string_view name;
  uint8_t bits;
  std::optional<DType> torch;  // nullopt: PyTorch has no such dtype (F4, F6_*)
};

// In the order of the reference's Dtype enum, which is increasing alignment: the writer sorts
// on this order (descending), so the index is the rank.
constexpr std::array<SafetensorsDType, 22> kDTypes{{
    {"BOOL", 8, DType::kBool},
    {"F4", 4, std::nullopt},
    {"F6_E2M3", 6, std::nullopt},
    {"F6_E3M2", 6, std::nullopt},
    {"U8", 8, DType::kUInt8},
    {"I8", 8, DType::kInt8},
    {"F8_E5M2", 8, DType::kFloat8E5M2},
    {"F8_E4M3", 8, DType::kFloat8E4M3Fn},
    {"F8_E8M0", 8, DType::kFloat8E8M0Fnu},
    {"F8_E4M3FNUZ", 8, DType::kFloat8E4M3Fnuz},
    {"F8_E5M2FNUZ", 8, DType::kFloat8E5M2Fnuz},
    {"I16", 16, DType::kInt16},
    {"U16", 16, DType::kUInt16},
    {"F16", 16, DType::kFloat16},
    {"BF16", 16, DType::kBFloat16},
    {"I32", 32, DType::kInt32},
    {"U32", 32, DType::kUInt32},
    {"F32", 32, DType::kFloat32},
    {"C64", 64, DType::kComplex64},
    {"F64", 64, DType::kFloat64},
    {"I64", 64, DType::kInt64},
    {"U64", 64, DType::kUInt64},
}};

const SafetensorsDType* findDType(std::string_view name) {
  for (const SafetensorsDType& entry : kDTypes) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string inQuotes(std::string_view text) { return "\"" + std::string(text) + "\""; }
std::string tensorLabel(std::string_view name) { return "tensor " + inQuotes(name); }

std::string listOf(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i > 0 ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

std::string offsetsOf(const SafetensorsEntry& entry) {
  return "[" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "]";
}

// Builds the header straight from nlohmann's SAX events: one pass, no document in memory, and
// duplicates, unknown fields and wrong types are caught where they occur.
class HeaderBuilder : public nlohmann::json_sax<json> {
 public:
  std::vector<SafetensorsEntry> tensors;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string error;

  bool null() override { return unexpected("null"); }
  bool boolean(bool) override { return unexpected("a boolean"); }
  bool number_integer(number_integer_t value) override { return number(false, 0, std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return number(true, value, std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return number(false, 0, text); }
  bool binary(binary_t&) override { return unexpected("binary data"); }

  bool string(string_t& text) override {
    if (state_ == State::kMetadataValue) {
      metadata.back().second = text;
      state_ = State::kMetadataKey;
      return true;
    }
    if (state_ == State::kDtype) {
      tensors.back().dtype = text;
      state_ = State::kField;
      return true;
    }
    return unexpected("a string");
  }

  bool start_object(std::size_t) override {
    switch (state_) {
      case State::kRoot: state_ = State::kTopKey; return true;
      case State::kTopValue:
        if (in_metadata_) {
          state_ = State::kMetadataKey;
        } else {
          state_ = State::kField;
        }
        return true;
      default: return unexpected("an object");
    }
  }

  bool key(string_t& name) override {
    switch (state_) {
      case State::kTopKey: return topKey(name);
      case State::kMetadataKey:
        if (!metadata_keys_.insert(name).second) return fail("\"__metadata__\" member " + inQuotes(name) + " appears twice");
        metadata.emplace_back(name, std::string());
        state_ = State::kMetadataValue;
        return true;
      case State::kField: return fieldKey(name);
      default: return fail("unexpected member " + inQuotes(name));
    }
  }

  bool end_object() override {
    switch (state_) {
      case State::kTopKey: state_ = State::kDone; return true;
      case State::kMetadataKey: state_ = State::kTopKey; return true;
      case State::kField: {
        for (const char* field : {"dtype", "shape", "data_offsets"}) {
          if (seen_fields_.count(field) == 0) return fail(tensorLabel(tensors.back().name) + ": missing field " + inQuotes(field));
        }
        state_ = State::kTopKey;
        return true;
      }
      default: return unexpected("the end of an object");
    }
  }

  bool start_array(std::size_t) override {
    if (state_ == State::kShapeStart) {
      state_ = State::kShapeItem;
      return true;
    }
    if (state_ == State::kOffsetsStart) {
      state_ = State::kOffsetsItem;
      offsets_seen_ = 0;
      return true;
    }
    return unexpected("an array");
  }

  bool end_array() override {
    if (state_ == State::kShapeItem) {
      state_ = State::kField;
      return true;
    }
    if (state_ == State::kOffsetsItem) {
      if (offsets_seen_ != 2) return fail(offsetsShapeError("an array of " + std::to_string(offsets_seen_)));
      state_ = State::kField;
      return true;
    }
    return unexpected("the end of an array");
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& exception) override {
    if (error.empty()) {
      // "[json.exception.parse_error.101] parse error at line 3, ...": keep what follows the tag.
      const std::string what = exception.what();
      const std::size_t tag_end = what.find("] ");
      error = "the header is not valid JSON: " + (tag_end == std::string::npos ? what : what.substr(tag_end + 2));
    }
    return false;
  }

 private:
  enum class State {
    kRoot, kTopKey, kTopValue, kMetadataKey, kMetadataValue,
    kField, kDtype, kShapeStart, kShapeItem, kOffsetsStart, kOffsetsItem, kDone,
  };

  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }

  std::string offsetsShapeError(const std::string& got) const {
    return tensorLabel(tensors.back().name) + ": \"data_offsets\" must be two non-negative integers [begin, end], not " + got;
  }

  // What the current place expected, for a value of the wrong kind.
  bool unexpected(const std::string& got) {
    switch (state_) {
      case State::kRoot: return fail("the header must be a JSON object, not " + got);
      case State::kTopValue:
        if (in_metadata_) return fail("\"__metadata__\" must be an object of strings, not " + got);
        return fail(tensorLabel(tensors.back().name) + ": its entry must be an object with dtype, shape and data_offsets, not " + got);
      case State::kMetadataValue:
        return fail("\"__metadata__\" member " + inQuotes(metadata.back().first) + " must be a string, not " + got);
      case State::kDtype: return fail(tensorLabel(tensors.back().name) + ": \"dtype\" must be a string, not " + got);
      case State::kShapeStart:
      case State::kShapeItem:
        return fail(tensorLabel(tensors.back().name) + ": \"shape\" must be an array of non-negative integers, not " +
                    (state_ == State::kShapeItem ? "one holding " : "") + got);
      case State::kOffsetsStart:
      case State::kOffsetsItem: return fail(offsetsShapeError(state_ == State::kOffsetsItem ? "one holding " + got : got));
      default: return fail("unexpected " + got + " in the header");
    }
  }

  bool number(bool non_negative_integer, uint64_t value, const std::string& text) {
    if (state_ == State::kShapeItem && non_negative_integer) {
      tensors.back().shape.push_back(value);
      return true;
    }
    if (state_ == State::kOffsetsItem && non_negative_integer) {
      if (offsets_seen_ >= 2) return fail(offsetsShapeError("an array of more than 2"));
      (offsets_seen_ == 0 ? tensors.back().begin : tensors.back().end) = value;
      ++offsets_seen_;
      return true;
    }
    return unexpected("the number " + text);
  }

  bool topKey(const std::string& name) {
    if (name == "__metadata__") {
      if (metadata_seen_) return fail("\"__metadata__\" appears twice");
      metadata_seen_ = in_metadata_ = true;
    } else {
      if (!names_.insert(name).second) return fail(tensorLabel(name) + " appears twice in the header");
      in_metadata_ = false;
      tensors.emplace_back();
      tensors.back().name = name;
      seen_fields_.clear();
    }
    state_ = State::kTopValue;
    return true;
  }

  bool fieldKey(const std::string& field) {
    const std::string& tensor = tensors.back().name;
    if (field != "dtype" && field != "shape" && field != "data_offsets") {
      return fail(tensorLabel(tensor) + ": unknown field " + inQuotes(field) + " (expected dtype, shape, data_offsets)");
    }
    if (!seen_fields_.insert(field).second) return fail(tensorLabel(tensor) + ": field " + inQuotes(field) + " appears twice");
    state_ = field == "dtype" ? State::kDtype : field == "shape" ? State::kShapeStart : State::kOffsetsStart;
    return true;
  }

  State state_ = State::kRoot;
  bool in_metadata_ = false;
  bool metadata_seen_ = false;
  int offsets_seen_ = 0;
  std::unordered_set<std::string> names_;
  std::unordered_set<std::string> metadata_keys_;
  std::unordered_set<std::string> seen_fields_;
};

uint64_t readLength(std::string_view file) {
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<uint8_t>(file[static_cast<std::size_t>(i)]);
  return length;
}

// Bytes the entry must span: numel × bits / 8 with overflow checks, as the reference computes.
Result<uint64_t> expectedBytes(const SafetensorsEntry& entry, const SafetensorsDType& dtype) {
  uint64_t elements = 1;
  for (uint64_t dim : entry.shape) {
    if (__builtin_mul_overflow(elements, dim, &elements)) {
      return makeError(tensorLabel(entry.name) + ": shape " + listOf(entry.shape) + " overflows when counting elements");
    }
  }
  uint64_t bits = 0;
  if (__builtin_mul_overflow(elements, uint64_t{dtype.bits}, &bits)) {
    return makeError(tensorLabel(entry.name) + ": " + std::to_string(elements) + " elements of " + std::string(dtype.name) +
                     " overflow the byte count");
  }
  if (bits % 8 != 0) {
    return makeError(tensorLabel(entry.name) + ": " + std::to_string(elements) + " elements of " + std::string(dtype.name) +
                     " (" + std::to_string(dtype.bits) + " bits each) do not end on a byte boundary");
  }
  return bits / 8;
}

// The reference's validate(): in offset order, each tensor starts where the previous ended
// (the first at 0) and spans exactly its size.
Result<uint64_t> validateOffsets(const std::vector<SafetensorsEntry>& tensors) {
  uint64_t position = 0;
  for (const SafetensorsEntry& entry : tensors) {
    const SafetensorsDType* dtype = findDType(entry.dtype);
    if (dtype == nullptr) return makeError(tensorLabel(entry.name) + ": unknown dtype " + inQuotes(entry.dtype));
    if (entry.end < entry.begin) {
      return makeError(tensorLabel(entry.name) + ": data_offsets " + offsetsOf(entry) + " end before they begin");
    }
    if (entry.begin != position) {
      const std::string where = position == 0 ? "the buffer's start (0)" : "the previous tensor's end (" + std::to_string(position) + ")";
      const char* what = entry.begin > position ? "leave a gap after " : "overlap ";
      return makeError(tensorLabel(entry.name) + ": data_offsets " + offsetsOf(entry) + " " + what + where);
    }
    Result<uint64_t> size = expectedBytes(entry, *dtype);
    if (!size) return size.error();
    if (entry.end - entry.begin != *size) {
      return makeError(tensorLabel(entry.name) + ": data_offsets " + offsetsOf(entry) + " hold " +
                       std::to_string(entry.end - entry.begin) + " bytes, but " + entry.dtype + " " + listOf(entry.shape) +
                       " needs " + std::to_string(*size));
    }
    position = entry.end;
  }
  return position;
}

// Row-major strides as torch computes them for a contiguous tensor (a 0-sized dimension
// counts as 1, so strides stay positive).
// nullopt when they overflow (possible only beside a 0-sized dimension).
std::optional<std::vector<int64_t>> contiguousStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> stride(shape.size());
  int64_t step = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    stride[i] = step;
    if (__builtin_mul_overflow(step, std::max<int64_t>(shape[i], 1), &step)) return std::nullopt;
  }
  return stride;
}

}  // namespace

Result<SafetensorsHeader> parseSafetensorsHeader(std::string_view file) {
  if (file.size() < 8) {
    return makeError("header too small: " + std::to_string(file.size()) + " bytes, not even the 8-byte header length");
  }
  SafetensorsHeader header;
  header.header_size = readLength(file);
  if (header.header_size > kMaxSafetensorsHeaderSize) {
    return makeError("header length " + std::to_string(header.header_size) + " exceeds the limit of " +
                     std::to_string(kMaxSafetensorsHeaderSize) + " bytes");
  }
  header.data_start = 8 + header.header_size;
  if (header.data_start > file.size()) {
    return makeError("header length " + std::to_string(header.header_size) + " reaches past the end of the " +
                     std::to_string(file.size()) + "-byte file");
  }
  const std::string_view text = file.substr(8, header.header_size);
  if (!isValidUtf8(text, /*allow_surrogates=*/false)) return makeError("the header is not valid UTF-8");

  HeaderBuilder builder;
  if (!json::sax_parse(text.begin(), text.end(), &builder)) return makeError(builder.error);
  header.tensors = std::move(builder.tensors);
  header.metadata = std::move(builder.metadata);
  std::stable_sort(header.tensors.begin(), header.tensors.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });

  Result<uint64_t> buffer_size = validateOffsets(header.tensors);
  if (!buffer_size) return buffer_size.error();
  const uint64_t buffer_available = file.size() - header.data_start;
  if (*buffer_size != buffer_available) {
    const uint64_t difference = *buffer_size > buffer_available ? *buffer_size - buffer_available : buffer_available - *buffer_size;
    return makeError("the tensors' data ends at byte " + std::to_string(*buffer_size) + " of the buffer, but the file holds " +
                     std::to_string(buffer_available) + " buffer bytes (" + std::to_string(difference) +
                     (*buffer_size > buffer_available ? " bytes missing)" : " trailing bytes)"));
  }
  return header;
}

Result<Checkpoint> readSafetensors(std::string_view file, const std::string& path) {
  Result<SafetensorsHeader> header = parseSafetensorsHeader(file);
  if (!header) return header.error();
  Checkpoint checkpoint;
  checkpoint.file = path;
  checkpoint.format = "safetensors";
  checkpoint.file_size = file.size();
  checkpoint.metadata = std::move(header->metadata);
  StateDict state_dict;
  state_dict.conventional = true;
  for (const SafetensorsEntry& entry : header->tensors) {
    const SafetensorsDType* dtype = findDType(entry.dtype);  // known: validated
    if (!dtype->torch) {
      return makeError(tensorLabel(entry.name) + ": dtype " + entry.dtype + " has no PyTorch equivalent (unsupported dtype)");
    }
    TensorInfo tensor;
    tensor.path = {entry.name};
    tensor.dtype = *dtype->torch;
    for (uint64_t dim : entry.shape) {
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return makeError(tensorLabel(entry.name) + ": dimension " + std::to_string(dim) + " is beyond what PyTorch can hold");
      }
      tensor.shape.push_back(static_cast<int64_t>(dim));
    }
    std::optional<std::vector<int64_t>> stride = contiguousStrides(tensor.shape);
    if (!stride) return makeError(tensorLabel(entry.name) + ": shape " + listOf(entry.shape) + " is beyond what PyTorch can hold");
    tensor.stride = std::move(*stride);
    tensor.storage_key = entry.name;
    tensor.device = "cpu";
    tensor.storage_nbytes = entry.end - entry.begin;
    tensor.record = ByteRange{header->data_start + entry.begin, entry.end - entry.begin};
    state_dict.tensors.push_back(checkpoint.tensors.size());
    checkpoint.tensors.push_back(std::move(tensor));
  }
  checkpoint.state_dicts.push_back(std::move(state_dict));
  return checkpoint;
}

std::optional<std::string_view> safetensorsDTypeName(DType dtype) {
  for (const SafetensorsDType& entry : kDTypes) {
    if (entry.torch == dtype) return entry.name;
  }
  return std::nullopt;
}

int safetensorsDTypeRank(std::string_view dtype_name) {
  for (std::size_t i = 0; i < kDTypes.size(); ++i) {
    if (kDTypes[i].name == dtype_name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace ckptlint::formats
