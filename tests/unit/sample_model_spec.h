// A ModelSpec with entries of several shapes (a scalar buffer, an empty dimension, a non-ASCII
// key with quotes), and an entry-by-entry comparison, shared by the JSON spec reader tests.
#pragma once

#include <gtest/gtest.h>

#include "linter/core/model_spec.h"

namespace ckptlint::testing {

inline ModelSpec sampleModelSpec() {
  ModelSpec spec;
  spec.source = "resnet18.pt";
  spec.source_kind = "spec";
  spec.entries = {
      {"conv1.weight", {64, 3, 7, 7}, DType::kFloat32, ModelEntry::Kind::kParameter},
      {"bn1.num_batches_tracked", {}, DType::kInt64, ModelEntry::Kind::kBuffer},
      {"fc.bias", {5}, DType::kFloat16, ModelEntry::Kind::kParameter},
      {"caf\xC3\xA9.\"quoted\"", {0, 2}, DType::kBFloat16, ModelEntry::Kind::kBuffer},
  };
  return spec;
}

inline void expectSameSpec(const ModelSpec& a, const ModelSpec& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.source_kind, b.source_kind);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].key, b.entries[i].key);
    EXPECT_EQ(a.entries[i].shape, b.entries[i].shape);
    EXPECT_EQ(a.entries[i].dtype, b.entries[i].dtype);
    EXPECT_EQ(a.entries[i].kind, b.entries[i].kind);
  }
}

}  // namespace ckptlint::testing
