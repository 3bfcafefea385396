// DType: the PyTorch scalar types a checkpoint can hold, with the facts a static reader needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ckptlint {

enum class DType : uint8_t {
  kFloat64, kFloat32, kFloat16, kBFloat16,
  kInt64, kInt32, kInt16, kInt8, kUInt8, kBool,
  kComplex128, kComplex64, kComplex32,
  kQInt8, kQUInt8, kQInt32, kQUInt4x2, kQUInt2x4,
  kFloat8E5M2, kFloat8E4M3Fn, kFloat8E5M2Fnuz, kFloat8E4M3Fnuz, kFloat8E8M0Fnu, kFloat4E2M1FnX2,
  kUInt16, kUInt32, kUInt64,
  kBits8, kBits16, kBits1x8, kBits2x4, kBits4x2,
};

enum class DTypeFamily : uint8_t { kFloating, kComplex, kSignedInt, kUnsignedInt, kBool, kQuantized, kBits };

struct DTypeInfo {
  DType dtype;
  std::string_view name;          // as PyTorch spells it without "torch.": "float32"
  std::string_view short_name;    // compact tag for tables: "F32"
  std::string_view storage_class; // legacy typed storage class, "" for dtypes saved untyped
  uint8_t element_size;           // bytes per element as torch's storage accounting counts them
  DTypeFamily family;
};

const DTypeInfo& info(DType dtype);
std::string_view name(DType dtype);
uint8_t elementSize(DType dtype);

/// Looks a dtype up by PyTorch name ("float32"); aliases like "float" are not accepted,
/// because pickles always carry canonical names.
std::optional<DType> dtypeFromName(std::string_view name);

/// Maps a storage class name ("FloatStorage", "cuda.HalfStorage" or a LibTorch
/// "Float8_e4m3fnStorage") to its dtype. UntypedStorage is not a dtype: see isUntypedStorage.
std::optional<DType> dtypeFromStorageClass(std::string_view class_name);
bool isUntypedStorage(std::string_view class_name);

/// All dtypes in declaration order, for tables and tests.
const DTypeInfo* allDTypes(std::size_t* count);

}  // namespace ckptlint
