#include "reports/json_writer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ckptlint::reports {
namespace {

std::string stringJson(std::string_view text) {
  std::ostringstream out;
  JsonWriter(out).value(text);
  return out.str();
}

TEST(JsonWriter, EscapesStringsExactly) {
  EXPECT_EQ(stringJson("plain"), "\"plain\"");
  EXPECT_EQ(stringJson("q\"b\\"), "\"q\\\"b\\\\\"");
  EXPECT_EQ(stringJson("a\nb\x01"), "\"a\\u000ab\\u0001\"");
  EXPECT_EQ(stringJson("héllo ✓ 🐍"), "\"héllo ✓ 🐍\"");
  EXPECT_EQ(stringJson("\xed\xa0\x80"), "\"\\ud800\"");        // a lone surrogate (pickle surrogatepass)
  EXPECT_EQ(stringJson("x\xff" "y"), "\"x\xef\xbf\xbdy\"");     // invalid byte -> U+FFFD
  EXPECT_EQ(stringJson("\xc0\xae"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong: both bytes replaced
}

TEST(JsonWriter, SeparatesMembersAndElements) {
  std::ostringstream out;
  JsonWriter json(out);
  json.beginObject();
  json.key("a").beginArray().value(int64_t{1}).value(true).null().endArray();
  json.key("b").beginObject().endObject();
  json.nextOnNewLine(2).key("c").beginArray();
  json.nextOnNewLine(4).value("x");
  json.nextOnNewLine(4).value(uint64_t{2});
  json.endArray(2);
  json.endObject(0);
  EXPECT_EQ(out.str(), "{\"a\": [1, true, null], \"b\": {},\n  \"c\": [\n    \"x\",\n    2\n  ]\n}");
}

}  // namespace
}  // namespace ckptlint::reports
