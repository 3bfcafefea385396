#include "linter/formats/python_repr.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ckptlint::formats {
namespace {

using pickle::Value;
using pickle::ValueKind;

std::string floatRepr(double number) {
  Value value;
  value.kind = ValueKind::kFloat;
  value.real = number;
  return pythonRepr(value);
}

TEST(PythonRepr, FloatsLikeCPython) {
  // Expected strings are what repr() prints in CPython 3.11.
  EXPECT_EQ(floatRepr(1.0), "1.0");
  EXPECT_EQ(floatRepr(100.0), "100.0");
  EXPECT_EQ(floatRepr(1.5), "1.5");
  EXPECT_EQ(floatRepr(0.1), "0.1");
  EXPECT_EQ(floatRepr(0.0001), "0.0001");
  EXPECT_EQ(floatRepr(1e-05), "1e-05");
  EXPECT_EQ(floatRepr(1e16), "1e+16");
  EXPECT_EQ(floatRepr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(floatRepr(123456789012345680.0), "1.2345678901234568e+17");
  EXPECT_EQ(floatRepr(-0.0), "-0.0");
  EXPECT_EQ(floatRepr(1e300), "1e+300");
  EXPECT_EQ(floatRepr(INFINITY), "inf");
  EXPECT_EQ(floatRepr(NAN), "nan");
}

TEST(PythonRepr, StringsAndTuples) {
  Value text;
  text.kind = ValueKind::kString;
  text.text = "it's";
  EXPECT_EQ(pythonRepr(text), "\"it's\"");
  text.text = "a\\b\x01";
  EXPECT_EQ(pythonRepr(text), "'a\\\\b\\x01'");
  Value one;
  one.kind = ValueKind::kInt;
  one.integer = 1;
  Value tuple;
  tuple.kind = ValueKind::kTuple;
  pickle::ValueArena arena;
  tuple.items = arena.list({&one});
  EXPECT_EQ(pythonRepr(tuple), "(1,)");
  tuple.items = arena.list({&one, &text});
  EXPECT_EQ(pythonRepr(tuple), "(1, 'a\\\\b\\x01')");
}

}  // namespace
}  // namespace ckptlint::formats
