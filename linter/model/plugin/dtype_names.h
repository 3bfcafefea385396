// LibTorch spells dtypes the C++ way ("Float"); ckptlint uses Python's names ("float32").
// One table for both directions, shared by the plugin's translation units.
#pragma once

#include <c10/core/ScalarType.h>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace ckptlint::plugin {

inline constexpr std::array<std::pair<c10::ScalarType, std::string_view>, 18> kDTypeNames{{
    {c10::ScalarType::Double, "float64"},
    {c10::ScalarType::Float, "float32"},
    {c10::ScalarType::Half, "float16"},
    {c10::ScalarType::BFloat16, "bfloat16"},
    {c10::ScalarType::Long, "int64"},
    {c10::ScalarType::Int, "int32"},
    {c10::ScalarType::Short, "int16"},
    {c10::ScalarType::Char, "int8"},
    {c10::ScalarType::Byte, "uint8"},
    {c10::ScalarType::Bool, "bool"},
    {c10::ScalarType::ComplexDouble, "complex128"},
    {c10::ScalarType::ComplexFloat, "complex64"},
    {c10::ScalarType::ComplexHalf, "complex32"},
    {c10::ScalarType::QInt8, "qint8"},
    {c10::ScalarType::QUInt8, "quint8"},
    {c10::ScalarType::QInt32, "qint32"},
    {c10::ScalarType::QUInt4x2, "quint4x2"},
    {c10::ScalarType::QUInt2x4, "quint2x4"},
}};

inline std::optional<std::string_view> pythonDTypeName(c10::ScalarType type) {
  for (const auto& [scalar_type, name] : kDTypeNames) {
    if (scalar_type == type) return name;
  }
  return std::nullopt;
}

inline std::optional<c10::ScalarType> scalarTypeFromPythonName(std::string_view wanted) {
  for (const auto& [scalar_type, name] : kDTypeNames) {
    if (name == wanted) return scalar_type;
  }
  return std::nullopt;
}

}  // namespace ckptlint::plugin
