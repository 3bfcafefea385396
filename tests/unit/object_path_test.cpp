#include "linter/core/object_path.h"

#include <gtest/gtest.h>

namespace ckptlint {
namespace {

TEST(ObjectPath, DisplaysSlashSeparated) {
  EXPECT_EQ(displayPath({}), "(root)");
  EXPECT_EQ(displayPath({std::string("optimizer"), std::string("state"), int64_t{0}, std::string("exp_avg")}),
            "optimizer/state/0/exp_avg");
}

TEST(ObjectPath, ParsesSlashAndArraySpecs) {
  ObjectPath path;
  std::string error;
  ASSERT_TRUE(parsePathSpec("model/ema", &path, &error));
  EXPECT_EQ(path, (ObjectPath{std::string("model"), std::string("ema")}));
  ASSERT_TRUE(parsePathSpec(R"(["a/b", 3, "q\"x"])", &path, &error));
  EXPECT_EQ(path, (ObjectPath{std::string("a/b"), int64_t{3}, std::string("q\"x")}));
  ASSERT_TRUE(parsePathSpec("[true, \"k\", false]", &path, &error));
  EXPECT_EQ(path, (ObjectPath{true, std::string("k"), false}));
  ASSERT_TRUE(parsePathSpec("[]", &path, &error));
  EXPECT_TRUE(path.empty());
  ASSERT_TRUE(parsePathSpec("", &path, &error));
  EXPECT_TRUE(path.empty());
  EXPECT_FALSE(parsePathSpec("[\"unterminated", &path, &error));
  EXPECT_FALSE(parsePathSpec("[1, x]", &path, &error));
  EXPECT_NE(error.find("cannot parse"), std::string::npos);
}

TEST(ObjectPath, SlashSegmentsMatchIntKeys) {
  const ObjectPath actual{std::string("state"), int64_t{0}};
  EXPECT_TRUE(pathMatchesSpec(actual, {std::string("state"), std::string("0")}));
  EXPECT_TRUE(pathMatchesSpec(actual, {std::string("state"), int64_t{0}}));
  EXPECT_FALSE(pathMatchesSpec(actual, {std::string("state")}));
  EXPECT_FALSE(pathMatchesSpec({std::string("0")}, {int64_t{0}}));  // a str key is not an int
}

}  // namespace
}  // namespace ckptlint

#include "linter/core/printable.h"

namespace ckptlint {
namespace {

TEST(Printable, EscapesWhatCouldFakeOrHideOutput) {
  EXPECT_EQ(printable("conv1.weight"), "conv1.weight");
  EXPECT_EQ(printable("héllo ✓"), "héllo ✓");
  EXPECT_EQ(printable("a\nNotes (0)"), "a\\x0aNotes (0)");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable("bad\xff"), "bad\\xff");
  EXPECT_EQ(printable("x\xe2\x80\xaey"), "x\\u{202e}y");  // right-to-left override
  EXPECT_EQ(printable("a\xc2\x9b" "2J"), "a\\u{009b}2J");   // C1 CSI
  EXPECT_EQ(printable("a\xe2\x80\xa8" "b"), "a\\u{2028}b");  // line separator
}

}  // namespace
}  // namespace ckptlint
