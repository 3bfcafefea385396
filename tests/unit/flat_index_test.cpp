#include "linter/core/flat_index.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace ckptlint {
namespace {

// Keys live with the caller; the index only knows positions and hashes.
struct Keys {
  std::vector<std::string> keys;
  FlatIndex index;
  std::function<std::size_t(const std::string&)> hash = std::hash<std::string>();

  std::optional<std::size_t> add(const std::string& key) {
    keys.push_back(key);
    return index.findOrAdd(hash(key), keys.size() - 1, [&](std::size_t at) { return keys[at] == key; });
  }
  std::optional<std::size_t> find(const std::string& key) const {
    return index.find(hash(key), [&](std::size_t at) { return keys[at] == key; });
  }
};

TEST(FlatIndex, FindsNothingWhenEmpty) {
  Keys keys;
  EXPECT_EQ(keys.find("a"), std::nullopt);
}

TEST(FlatIndex, KeepsTheFirstPositionOfEachKeyAcrossGrowth) {
  Keys keys;
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(keys.add("k" + std::to_string(i)), std::nullopt);
  for (int i = 0; i < 5000; i += 7) EXPECT_EQ(keys.add("k" + std::to_string(i)), std::size_t(i));
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(keys.find("k" + std::to_string(i)), std::size_t(i));
  EXPECT_EQ(keys.find("k5000"), std::nullopt);
  EXPECT_EQ(keys.index.size(), 5000u);
}

TEST(FlatIndex, TellsKeysApartWhenAllHashesCollide) {
  Keys keys;
  keys.hash = [](const std::string&) { return std::size_t{42}; };
  keys.index.reserve(100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(keys.add(std::to_string(i)), std::nullopt);
  EXPECT_EQ(keys.add("57"), 57u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(keys.find(std::to_string(i)), std::size_t(i));
  EXPECT_EQ(keys.find("100"), std::nullopt);
}

}  // namespace
}  // namespace ckptlint
