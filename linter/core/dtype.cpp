#include "linter/core/dtype.h"

#include <array>

namespace ckptlint {
namespace {

using F = DTypeFamily;

// Element sizes follow torch._utils._element_size; LibTorch storage class names use the C++
// ScalarType spelling, which equals the Python one for the classic dtypes.
constexpr std::array<DTypeInfo, 32> kDTypes{{
    {DType::kFloat64, "float64", "F64", "DoubleStorage", 8, F::kFloating},
    {DType::kFloat32, "float32", "F32", "FloatStorage", 4, F::kFloating},
    {DType::kFloat16, "float16", "F16", "HalfStorage", 2, F::kFloating},
    {DType::kBFloat16, "bfloat16", "BF16", "BFloat16Storage", 2, F::kFloating},
    {DType::kInt64, "int64", "I64", "LongStorage", 8, F::kSignedInt},
    {DType::kInt32, "int32", "I32", "IntStorage", 4, F::kSignedInt},
    {DType::kInt16, "int16", "I16", "ShortStorage", 2, F::kSignedInt},
    {DType::kInt8, "int8", "I8", "CharStorage", 1, F::kSignedInt},
    {DType::kUInt8, "uint8", "U8", "ByteStorage", 1, F::kUnsignedInt},
    {DType::kBool, "bool", "BOOL", "BoolStorage", 1, F::kBool},
    {DType::kComplex128, "complex128", "C128", "ComplexDoubleStorage", 16, F::kComplex},
    {DType::kComplex64, "complex64", "C64", "ComplexFloatStorage", 8, F::kComplex},
    {DType::kComplex32, "complex32", "C32", "ComplexHalfStorage", 4, F::kComplex},
    {DType::kQInt8, "qint8", "QI8", "QInt8Storage", 1, F::kQuantized},
    {DType::kQUInt8, "quint8", "QU8", "QUInt8Storage", 1, F::kQuantized},
    {DType::kQInt32, "qint32", "QI32", "QInt32Storage", 4, F::kQuantized},
    {DType::kQUInt4x2, "quint4x2", "QU4x2", "QUInt4x2Storage", 1, F::kQuantized},
    {DType::kQUInt2x4, "quint2x4", "QU2x4", "QUInt2x4Storage", 1, F::kQuantized},
    {DType::kFloat8E5M2, "float8_e5m2", "F8_E5M2", "Float8_e5m2Storage", 1, F::kFloating},
    {DType::kFloat8E4M3Fn, "float8_e4m3fn", "F8_E4M3", "Float8_e4m3fnStorage", 1, F::kFloating},
    {DType::kFloat8E5M2Fnuz, "float8_e5m2fnuz", "F8_E5M2FNUZ", "Float8_e5m2fnuzStorage", 1, F::kFloating},
    {DType::kFloat8E4M3Fnuz, "float8_e4m3fnuz", "F8_E4M3FNUZ", "Float8_e4m3fnuzStorage", 1, F::kFloating},
    {DType::kFloat8E8M0Fnu, "float8_e8m0fnu", "F8_E8M0", "Float8_e8m0fnuStorage", 1, F::kFloating},
    {DType::kFloat4E2M1FnX2, "float4_e2m1fn_x2", "F4X2", "Float4_e2m1fn_x2Storage", 1, F::kFloating},
    {DType::kUInt16, "uint16", "U16", "UInt16Storage", 2, F::kUnsignedInt},
    {DType::kUInt32, "uint32", "U32", "UInt32Storage", 4, F::kUnsignedInt},
    {DType::kUInt64, "uint64", "U64", "UInt64Storage", 8, F::kUnsignedInt},
    {DType::kBits8, "bits8", "B8", "Bits8Storage", 1, F::kBits},
    {DType::kBits16, "bits16", "B16", "Bits16Storage", 2, F::kBits},
    {DType::kBits1x8, "bits1x8", "B1x8", "Bits1x8Storage", 1, F::kBits},
    {DType::kBits2x4, "bits2x4", "B2x4", "Bits2x4Storage", 1, F::kBits},
    {DType::kBits4x2, "bits4x2", "B4x2", "Bits4x2Storage", 1, F::kBits},
}};

}  // namespace

const DTypeInfo& info(DType dtype) { return kDTypes[static_cast<std::size_t>(dtype)]; }
std::string_view name(DType dtype) { return info(dtype).name; }
uint8_t elementSize(DType dtype) { return info(dtype).element_size; }

std::optional<DType> dtypeFromName(std::string_view dtype_name) {
  for (const DTypeInfo& entry : kDTypes) {
    if (entry.name == dtype_name) return entry.dtype;
  }
  return std::nullopt;
}

std::optional<DType> dtypeFromStorageClass(std::string_view class_name) {
  // torch resolves any class whose name contains "Storage" by its name alone, ignoring the
  // module (torch.cuda.FloatStorage loads as FloatStorage); do the same with the last segment.
  const auto dot = class_name.rfind('.');
  if (dot != std::string_view::npos) class_name.remove_prefix(dot + 1);
  for (const DTypeInfo& entry : kDTypes) {
    if (entry.storage_class == class_name) return entry.dtype;
  }
  return std::nullopt;
}

bool isUntypedStorage(std::string_view class_name) {
  const auto dot = class_name.rfind('.');
  if (dot != std::string_view::npos) class_name.remove_prefix(dot + 1);
  return class_name == "UntypedStorage";
}

const DTypeInfo* allDTypes(std::size_t* count) {
  *count = kDTypes.size();
  return kDTypes.data();
}

}  // namespace ckptlint
