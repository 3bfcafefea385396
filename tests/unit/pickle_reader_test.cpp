#include "linter/pickle/reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "linter/pickle/opcodes.h"
#include "tests/unit/pickle_builder.h"

namespace ckptlint::pickle {
namespace {

using testing::PickleBuilder;

Pickle parse(const std::string& bytes, const ReaderLimits& limits = {}) {
  Result<Pickle> result = readPickle(bytes, 0, limits);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) throw std::runtime_error("parse failed");
  return std::move(result).value();
}

std::string parseError(const std::string& bytes, const ReaderLimits& limits = {}) {
  Result<Pickle> result = readPickle(bytes, 0, limits);
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string() : result.error().message;
}

// ---- scalars ---------------------------------------------------------------------------

// The arena behind every tree: nodes keep their address and contents across chunks, and lists
// keep their order as they grow past their slots, past a slot block, or get a block of their own.
TEST(ValueArena, NodesStayPutAndListsKeepTheirOrderAsTheyGrow) {
  ValueArena arena;
  std::vector<Value*> made;
  for (int i = 0; i < 20000; ++i) {
    Value* node = arena.make(ValueKind::kInt, static_cast<uint64_t>(i));
    node->integer = i;
    made.push_back(node);
  }
  EXPECT_EQ(arena.size(), 20000u);
  ValueList grown;
  for (std::size_t i = 0; i < made.size(); i += 7) arena.append(grown, made.data() + i, std::min<std::size_t>(7, made.size() - i));
  const ValueList whole = arena.list(made.data(), made.size());
  const ValueList pair = arena.list({made[1], made[0]});
  ASSERT_EQ(grown.size(), made.size());
  ASSERT_EQ(whole.size(), made.size());
  for (std::size_t i = 0; i < made.size(); ++i) {
    EXPECT_EQ(grown[i], made[i]);
    EXPECT_EQ(whole[i], made[i]);
    EXPECT_EQ(made[i]->integer, static_cast<int64_t>(i));
    EXPECT_EQ(made[i]->offset, i);
  }
  ASSERT_EQ(pair.size(), 2u);
  EXPECT_EQ(pair.front(), made[1]);
  EXPECT_EQ(pair.back(), made[0]);
  EXPECT_TRUE(ValueList().empty());
}

TEST(PickleReader, BinaryIntegers) {
  const Pickle pickle = parse(PickleBuilder().mark().binint1(7).binint2(65535).binint(-2).tuple().stop().bytes());
  const Value& tuple = *pickle.root();
  ASSERT_EQ(tuple.kind, ValueKind::kTuple);
  ASSERT_EQ(tuple.items.size(), 3u);
  EXPECT_EQ(tuple.items[0]->integer, 7);
  EXPECT_EQ(tuple.items[1]->integer, 65535);
  EXPECT_EQ(tuple.items[2]->integer, -2);
}

TEST(PickleReader, Long1MinimalAndBigIntegers) {
  // 2**40 in 6 bytes (what Python writes), -1 in one byte, 2**64 (does not fit int64).
  PickleBuilder builder;
  builder.mark();
  builder.op(static_cast<unsigned char>(0x8a)).le(6, 1).le(uint64_t{1} << 40, 6);
  builder.op(static_cast<unsigned char>(0x8a)).le(1, 1).le(0xFF, 1);
  builder.op(static_cast<unsigned char>(0x8a)).le(9, 1).le(0, 8).le(1, 1);
  builder.op(static_cast<unsigned char>(0x8b)).le(2, 4).le(0x0100, 2);  // LONG4: 256
  builder.tuple().stop();
  const Pickle pickle = parse(builder.bytes());
  const auto& items = pickle.root()->items;
  EXPECT_EQ(items[0]->integer, int64_t{1} << 40);
  EXPECT_EQ(items[1]->integer, -1);
  EXPECT_TRUE(items[2]->big_int);
  EXPECT_EQ(items[2]->text, "0x10000000000000000");  // beyond int64: canonical hex
  EXPECT_EQ(items[3]->integer, 256);
}

TEST(PickleReader, NegativeBigInteger) {
  // -(2**64) as 9-byte two's complement: 00 .. 00 FF
  PickleBuilder builder;
  builder.op(static_cast<unsigned char>(0x8a)).le(9, 1).le(0, 8).le(0xFF, 1).stop();
  const Pickle pickle = parse(builder.bytes());
  EXPECT_TRUE(pickle.root()->big_int);
  EXPECT_EQ(pickle.root()->text, "-0x10000000000000000");
}

TEST(PickleReader, Protocol0TextNumbers) {
  const std::string bytes = "(I42\nI01\nI00\nL12345678901234567890123L\nF0.25\nt.";
  const Pickle pickle = parse(bytes);
  const auto& items = pickle.root()->items;
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0]->integer, 42);
  EXPECT_EQ(items[1]->kind, ValueKind::kBool);
  EXPECT_TRUE(items[1]->boolean);
  EXPECT_FALSE(items[2]->boolean);
  EXPECT_TRUE(items[3]->big_int);
  EXPECT_EQ(items[3]->text, "0x29d42b64e76714244cb");
  EXPECT_DOUBLE_EQ(items[4]->real, 0.25);
  EXPECT_EQ(pickle.protocol(), 0);
}

TEST(PickleReader, BinFloatIsBigEndian) {
  PickleBuilder builder;
  builder.op('G').raw(std::string("\x3f\xf8\x00\x00\x00\x00\x00\x00", 8)).stop();  // 1.5
  EXPECT_DOUBLE_EQ(parse(builder.bytes()).root()->real, 1.5);
}

TEST(PickleReader, BooleansAndNone) {
  const Pickle pickle = parse(PickleBuilder().mark().newTrue().newFalse().none().tuple().stop().bytes());
  const auto& items = pickle.root()->items;
  EXPECT_TRUE(items[0]->boolean);
  EXPECT_FALSE(items[1]->boolean);
  EXPECT_EQ(items[2]->kind, ValueKind::kNone);
}

// ---- strings ---------------------------------------------------------------------------

TEST(PickleReader, UnicodeOpcodes) {
  PickleBuilder builder(4);
  builder.mark().unicode("héllo").shortUnicode("short");
  builder.op(static_cast<unsigned char>(0x8d)).le(3, 8).raw("big");  // BINUNICODE8
  builder.tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  EXPECT_EQ(items[0]->text, "héllo");
  EXPECT_EQ(items[1]->text, "short");
  EXPECT_EQ(items[2]->text, "big");
  EXPECT_EQ(items[2]->kind, ValueKind::kString);
}

TEST(PickleReader, Protocol0StringsAndUnicode) {
  const std::string bytes = "(S'it\\'s\\n'\nS\"x\\x41\"\nVcaf\\u00e9\nt.";
  const Pickle parsed_items = parse(bytes);
  const auto& items = parsed_items.root()->items;
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]->text, "it's\n");
  EXPECT_EQ(items[1]->text, "xA");
  EXPECT_EQ(items[2]->text, "café");
}

TEST(PickleReader, Python2ByteStringsBecomeText) {
  PickleBuilder builder;
  builder.mark().op('U').le(3, 1).raw("abc").op('T').le(2, 4).raw("\xe9t").tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  EXPECT_EQ(items[0]->text, "abc");
  EXPECT_EQ(items[1]->text, "ét");  // not UTF-8: decoded as Latin-1
}

TEST(PickleReader, BytesOpcodes) {
  PickleBuilder builder(5);
  builder.mark().op('C').le(2, 1).raw("ab").op('B').le(1, 4).raw("c");
  builder.op(static_cast<unsigned char>(0x8e)).le(1, 8).raw("d");
  builder.op(static_cast<unsigned char>(0x96)).le(1, 8).raw("e");
  builder.tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  ASSERT_EQ(items.size(), 4u);
  for (const Value* item : items) EXPECT_EQ(item->kind, ValueKind::kBytes);
  EXPECT_EQ(items[0]->text, "ab");
  EXPECT_EQ(items[3]->text, "e");
}

TEST(PickleReader, RejectsInvalidUtf8InUnicode) {
  EXPECT_NE(parseError(PickleBuilder().unicode("\xff\xfe").stop().bytes()).find("UTF-8"), std::string::npos);
}

// ---- containers ------------------------------------------------------------------------

TEST(PickleReader, TupleOpcodes) {
  PickleBuilder builder;
  builder.mark();
  builder.emptyTuple();
  builder.binint1(1).op(static_cast<unsigned char>(0x85));
  builder.binint1(1).binint1(2).tuple2();
  builder.binint1(1).binint1(2).binint1(3).op(static_cast<unsigned char>(0x87));
  builder.tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  ASSERT_EQ(items.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(items[i]->kind, ValueKind::kTuple);
    EXPECT_EQ(items[i]->items.size(), i);
  }
  EXPECT_EQ(items[3]->items[2]->integer, 3);
}

TEST(PickleReader, ListOpcodes) {
  PickleBuilder builder;
  builder.emptyList().binint1(1).op('a').mark().binint1(2).binint1(3).appends().stop();
  const Pickle parsed_list = parse(builder.bytes());
  const Value& list = *parsed_list.root();
  ASSERT_EQ(list.kind, ValueKind::kList);
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(list.items[2]->integer, 3);
  const Pickle parsed_text_list = parse("(I1\nI2\nl.");
  const Value& text_list = *parsed_text_list.root();
  EXPECT_EQ(text_list.kind, ValueKind::kList);
  EXPECT_EQ(text_list.items.size(), 2u);
}

TEST(PickleReader, DictOpcodesKeepInsertionOrderAndPythonDuplicateSemantics) {
  PickleBuilder builder;
  builder.emptyDict().unicode("b").binint1(1).setitem();
  builder.mark().unicode("a").binint1(2).unicode("b").binint1(3).setitems().stop();
  const Pickle parsed_dict = parse(builder.bytes());
  const Value& dict = *parsed_dict.root();
  ASSERT_EQ(dict.entries().size(), 2u);
  EXPECT_EQ(dict.entries()[0].first->text, "b");
  EXPECT_EQ(dict.entries()[0].second->integer, 3);  // replaced in place, first position kept
  EXPECT_EQ(dict.entries()[1].first->text, "a");
  const Pickle parsed_text_dict = parse("(S'k'\nI1\nd.");
  const Value& text_dict = *parsed_text_dict.root();
  ASSERT_EQ(text_dict.kind, ValueKind::kDict);
  EXPECT_EQ(text_dict.entries()[0].first->text, "k");
}

TEST(PickleReader, LargeDictDuplicateKeysUseTheIndex) {
  PickleBuilder builder;
  builder.emptyDict().mark();
  for (int i = 0; i < 40; ++i) builder.unicode("k" + std::to_string(i)).binint1(static_cast<uint8_t>(i));
  builder.unicode("k5").binint1(200).setitems().stop();
  const Pickle parsed_dict = parse(builder.bytes());
  const Value& dict = *parsed_dict.root();
  ASSERT_EQ(dict.entries().size(), 40u);
  EXPECT_EQ(dict.entries()[5].second->integer, 200);
}

// Past the first index's size: keys reassigned after it grew, and Python's True == 1 and
// "1" != 1 among thousands of keys.
TEST(PickleReader, GrownDictIndexKeepsPythonKeySemantics) {
  PickleBuilder builder;
  builder.emptyDict().mark();
  for (int i = 0; i < 3000; ++i) builder.unicode("k" + std::to_string(i)).binint1(1);
  for (int i = 0; i < 3000; ++i) builder.binint(i).binint1(2);
  builder.unicode("k0").binint1(3).unicode("k2999").binint1(4).op(static_cast<unsigned char>(0x88)).binint1(5);
  builder.unicode("1").binint1(6).setitems().stop();
  const Pickle parsed_dict = parse(builder.bytes());
  const auto& entries = parsed_dict.root()->entries();
  ASSERT_EQ(entries.size(), 6001u);
  EXPECT_EQ(entries[0].second->integer, 3);     // "k0"
  EXPECT_EQ(entries[2999].second->integer, 4);  // "k2999"
  EXPECT_EQ(entries[3001].second->integer, 5);  // 1, assigned again as True
  EXPECT_EQ(entries[6000].first->text, "1");    // "1" is a key of its own
}

TEST(PickleReader, SetOpcodes) {
  PickleBuilder builder(4);
  builder.mark();
  builder.op(static_cast<unsigned char>(0x8f)).mark().binint1(1).binint1(2).op(static_cast<unsigned char>(0x90));
  builder.mark().binint1(3).op(static_cast<unsigned char>(0x91));
  builder.tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  EXPECT_EQ(items[0]->kind, ValueKind::kSet);
  EXPECT_EQ(items[0]->items.size(), 2u);
  EXPECT_EQ(items[1]->kind, ValueKind::kFrozenSet);
}

TEST(PickleReader, StackManipulation) {
  // POP drops the 9; DUP duplicates the 1; POP_MARK discards a whole marked frame.
  PickleBuilder builder;
  builder.mark().binint1(1).op('2').binint1(9).op('0').mark().binint1(5).binint1(6).op('1').tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0], items[1]);
}

// ---- memo ------------------------------------------------------------------------------

TEST(PickleReader, MemoSharesTheSameNode) {
  PickleBuilder builder;
  builder.mark().emptyList().binput(0).binget(0);
  builder.emptyDict().op('r').le(70000, 4).op('j').le(70000, 4);
  builder.raw("I7\np3\ng3\n");
  builder.tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0], items[1]);
  EXPECT_EQ(items[2], items[3]);
  EXPECT_EQ(items[4], items[5]);
}

TEST(PickleReader, MemoizeUsesTheNextIndex) {
  PickleBuilder builder(4);
  const unsigned char kMemoize = 0x94;
  builder.mark().unicode("a").op(kMemoize).unicode("b").op(kMemoize).binget(1).binget(0).tuple().stop();
  const Pickle parsed_items = parse(builder.bytes());
  const auto& items = parsed_items.root()->items;
  EXPECT_EQ(items[2]->text, "b");
  EXPECT_EQ(items[3]->text, "a");
}

TEST(PickleReader, MutationThroughMemoIsSeenEverywhere) {
  // A list memoized, referenced, and appended to afterwards (as Python would see it).
  PickleBuilder builder;
  builder.emptyList().binput(0).mark().binget(0).tuple().binput(1).op('0');
  builder.binint1(4).op('a').op('0').binget(1).stop();
  const Pickle parsed_tuple = parse(builder.bytes());
  const Value& tuple = *parsed_tuple.root();
  ASSERT_EQ(tuple.items.size(), 1u);
  EXPECT_EQ(tuple.items[0]->items.size(), 1u);
}

// ---- globals, calls, persistent ids ----------------------------------------------------

TEST(PickleReader, GlobalsAreRecordedAndPython2NamesMapped) {
  PickleBuilder builder;
  builder.mark().global("__builtin__", "set").global("copy_reg", "_reconstructor").global("__builtin__", "xrange");
  builder.global("collections", "OrderedDict").tuple().stop();
  const Pickle pickle = parse(builder.bytes());
  const auto& items = pickle.root()->items;
  EXPECT_EQ(items[0]->dottedName(), "builtins.set");
  EXPECT_EQ(items[1]->dottedName(), "copyreg._reconstructor");
  EXPECT_EQ(items[2]->dottedName(), "builtins.range");
  EXPECT_EQ(items[3]->dottedName(), "collections.OrderedDict");
  ASSERT_EQ(pickle.globals().size(), 4u);
  EXPECT_EQ(pickle.globals()[0].module, "builtins");
  EXPECT_EQ(pickle.globals()[0].offset, 3u);
  EXPECT_EQ(pickle.globals()[0].opcode, "GLOBAL");
}

TEST(PickleReader, Protocol3NamesAreNotMapped) {
  PickleBuilder builder(3);
  builder.global("__builtin__", "set").stop();
  EXPECT_EQ(parse(builder.bytes()).root()->dottedName(), "__builtin__.set");
}

TEST(PickleReader, StackGlobalResolvedAndUnresolved) {
  PickleBuilder builder(4);
  builder.mark().shortUnicode("os").shortUnicode("system").op(static_cast<unsigned char>(0x93));
  builder.binint1(1).shortUnicode("x").op(static_cast<unsigned char>(0x93)).tuple().stop();
  const Pickle pickle = parse(builder.bytes());
  ASSERT_EQ(pickle.globals().size(), 2u);
  EXPECT_EQ(pickle.globals()[0].module, "os");
  EXPECT_EQ(pickle.globals()[0].name, "system");
  EXPECT_TRUE(pickle.globals()[0].resolved);
  EXPECT_FALSE(pickle.globals()[1].resolved);
  EXPECT_EQ(pickle.globals()[1].opcode, "STACK_GLOBAL");
}

TEST(PickleReader, ReduceIsRecordedNeverCalled) {
  PickleBuilder builder;
  builder.global("os", "system").mark().unicode("echo pwned").tuple().reduce().stop();
  const Pickle pickle = parse(builder.bytes());
  const Value& call = *pickle.root();
  ASSERT_EQ(call.kind, ValueKind::kCall);
  EXPECT_EQ(call.call_kind, CallKind::kReduce);
  EXPECT_EQ(call.callee()->dottedName(), "os.system");
  EXPECT_EQ(call.args()->items[0]->text, "echo pwned");
}

TEST(PickleReader, NewObjBuildAndSetItemsOnObjects) {
  // OrderedDict() REDUCE, SETITEMS onto it, BUILD with a state dict: what state_dict() writes.
  PickleBuilder builder;
  builder.global("collections", "OrderedDict").binput(0).emptyTuple().reduce();
  builder.mark().unicode("w").binint1(1).setitems();
  builder.emptyDict().unicode("_metadata").binget(0).emptyTuple().reduce().setitem().build().stop();
  const Pickle parsed_ordered = parse(builder.bytes());
  const Value& ordered = *parsed_ordered.root();
  ASSERT_EQ(ordered.kind, ValueKind::kCall);
  ASSERT_EQ(ordered.entries().size(), 1u);
  ASSERT_NE(ordered.state(), nullptr);
  EXPECT_EQ(ordered.state()->entries()[0].first->text, "_metadata");

  PickleBuilder newobj;
  newobj.global("m", "C").emptyTuple().op(static_cast<unsigned char>(0x81)).stop();
  EXPECT_EQ(parse(newobj.bytes()).root()->call_kind, CallKind::kNewObj);

  PickleBuilder newobj_ex(4);
  newobj_ex.global("m", "C").emptyTuple().emptyDict().op(static_cast<unsigned char>(0x92)).stop();
  const Pickle parsed_ex = parse(newobj_ex.bytes());
  const Value& ex = *parsed_ex.root();
  EXPECT_EQ(ex.call_kind, CallKind::kNewObjEx);
  EXPECT_EQ(ex.items.size(), 3u);
}

TEST(PickleReader, InstAndObj) {
  const Pickle inst = parse("(S'arg'\nimodule\nKlass\n.");
  EXPECT_EQ(inst.root()->call_kind, CallKind::kInst);
  EXPECT_EQ(inst.root()->callee()->dottedName(), "module.Klass");
  EXPECT_EQ(inst.globals()[0].opcode, "INST");
  PickleBuilder obj;
  obj.mark().global("m", "K").binint1(1).op('o').stop();
  const Pickle parsed_object = parse(obj.bytes());
  const Value& object = *parsed_object.root();
  EXPECT_EQ(object.call_kind, CallKind::kObj);
  EXPECT_EQ(object.callee()->dottedName(), "m.K");
  EXPECT_EQ(object.args()->items.size(), 1u);
}

TEST(PickleReader, PersistentIds) {
  PickleBuilder builder;
  builder.mark().unicode("storage").global("torch", "FloatStorage").unicode("0").unicode("cpu").binint1(6).tuple();
  builder.binpersid().stop();
  const Pickle parsed_id = parse(builder.bytes());
  const Value& id = *parsed_id.root();
  ASSERT_EQ(id.kind, ValueKind::kPersistentId);
  EXPECT_EQ(id.items[0]->items[2]->text, "0");
  const Pickle parsed_text_id = parse("Pkey0\n.");
  const Value& text_id = *parsed_text_id.root();
  EXPECT_EQ(text_id.kind, ValueKind::kPersistentId);
  EXPECT_EQ(text_id.items[0]->text, "key0");
}

TEST(PickleReader, FramesAreAcceptedAndChecked) {
  PickleBuilder ok(4);
  ok.op(static_cast<unsigned char>(0x95)).le(3, 8).binint1(5).stop();
  EXPECT_EQ(parse(ok.bytes()).root()->integer, 5);
  PickleBuilder bad(4);
  bad.op(static_cast<unsigned char>(0x95)).le(1000, 8).binint1(5).stop();
  EXPECT_NE(parseError(bad.bytes()).find("FRAME"), std::string::npos);
}

TEST(PickleReader, EndOffsetMarksTheStop) {
  const std::string first = PickleBuilder().binint1(1).stop().bytes();
  const std::string second = PickleBuilder().binint1(2).stop().bytes();
  Result<Pickle> one = readPickle(first + second, 0);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->endOffset(), first.size());
  Result<Pickle> two = readPickle(first + second, one->endOffset());
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->root()->integer, 2);
}

// ---- malformed streams -----------------------------------------------------------------

TEST(PickleReader, MalformedStreamsGiveLocatedErrors) {
  EXPECT_NE(parseError(PickleBuilder().binint1(1).bytes()).find("unexpected end"), std::string::npos);
  EXPECT_NE(parseError(std::string("\x80\x02\xff.", 4)).find("unknown opcode 0xff"), std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().binget(3).stop().bytes()).find("never stored"), std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().reduce().stop().bytes()).find("stack underflow"), std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().binint1(1).tuple().stop().bytes()).find("no MARK"), std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().stop().bytes()).find("empty stack"), std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().binint1(1).emptyDict().build().stop().bytes()).find("BUILD on a int"),
            std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().binint1(1).binint1(2).binint1(3).setitem().stop().bytes()).find("cannot set"),
            std::string::npos);
  EXPECT_NE(parseError(std::string("\x80\x09.", 3)).find("protocol 9"), std::string::npos);
  EXPECT_NE(parseError(PickleBuilder(5).op(static_cast<unsigned char>(0x97)).stop().bytes()).find("out-of-band"),
            std::string::npos);
  EXPECT_NE(parseError(PickleBuilder().op(static_cast<unsigned char>(0x82)).le(1, 1).stop().bytes()).find("extension"),
            std::string::npos);
  const std::string error = parseError(PickleBuilder().unicode("ab").reduce().stop().bytes());
  EXPECT_EQ(error.rfind("pickle: offset 9 (REDUCE)", 0), 0u) << error;
}

TEST(PickleReader, EveryTruncationFailsWithoutCrashing) {
  PickleBuilder builder;
  builder.global("collections", "OrderedDict").binput(0).emptyTuple().reduce().mark();
  builder.unicode("weight").global("torch._utils", "_rebuild_tensor_v2").mark().mark().unicode("storage");
  builder.global("torch", "FloatStorage").unicode("0").unicode("cpu").binint1(6).tuple().binpersid();
  builder.binint1(0).binint1(2).binint1(3).tuple2().binint1(3).binint1(1).tuple2().newFalse();
  builder.binget(0).emptyTuple().reduce().tuple().reduce().setitems().stop();
  const std::string full = builder.bytes();
  ASSERT_TRUE(readPickle(full).ok());
  for (std::size_t length = 0; length < full.size(); ++length) {
    EXPECT_FALSE(readPickle(full.substr(0, length)).ok()) << "prefix of " << length << " bytes";
  }
}

// ---- limits ----------------------------------------------------------------------------

TEST(PickleReader, NodeLimit) {
  ReaderLimits limits;
  limits.max_nodes = 50;
  PickleBuilder builder;
  builder.mark();
  for (int i = 0; i < 100; ++i) builder.emptyList();
  builder.tuple().stop();
  EXPECT_NE(parseError(builder.bytes(), limits).find("node limit"), std::string::npos);
}

TEST(PickleReader, MemoLimitAndHugeIndexes) {
  ReaderLimits limits;
  limits.max_memo_entries = 3;
  PickleBuilder builder;
  builder.binint1(1);
  for (int i = 0; i < 5; ++i) builder.binput(static_cast<uint8_t>(i));
  builder.stop();
  EXPECT_NE(parseError(builder.bytes(), limits).find("memo entries"), std::string::npos);
  // A huge index is just a key; it must not allocate a huge table.
  PickleBuilder huge;
  huge.binint1(1).op('r').le(0xFFFFFFF0u, 4).op('j').le(0xFFFFFFF0u, 4).op('0').stop();
  EXPECT_EQ(parse(huge.bytes()).root()->integer, 1);
}

TEST(PickleReader, StringAndIntegerSizeLimits) {
  ReaderLimits limits;
  limits.max_string_size = 4;
  EXPECT_NE(parseError(PickleBuilder().unicode("too long").stop().bytes(), limits).find("exceeds the limit"),
            std::string::npos);
  // A declared length beyond the data is a truncation, whatever the limit.
  EXPECT_NE(parseError(PickleBuilder().op('X').le(0x00FFFFFF, 4).stop().bytes()).find("unexpected end"),
            std::string::npos);
  PickleBuilder long4;
  long4.op(static_cast<unsigned char>(0x8b)).le(100000, 4).raw(std::string(100000, '\x01')).stop();
  EXPECT_NE(parseError(long4.bytes()).find("integer of 100000 bytes"), std::string::npos);
}

TEST(PickleReader, MarkDepthLimit) {
  ReaderLimits limits;
  limits.max_mark_depth = 10;
  PickleBuilder builder;
  for (int i = 0; i < 20; ++i) builder.mark();
  builder.stop();
  EXPECT_NE(parseError(builder.bytes(), limits).find("MARKs nested"), std::string::npos);
}

TEST(PickleReader, StackLimit) {
  ReaderLimits limits;
  limits.max_stack_size = 10;
  PickleBuilder builder;
  for (int i = 0; i < 20; ++i) builder.none();
  builder.stop();
  EXPECT_NE(parseError(builder.bytes(), limits).find("stack deeper"), std::string::npos);
}

TEST(PickleOpcodes, TableCoversEveryProtocol5Opcode) {
  int count = 0;
  for (int byte = 0; byte < 256; ++byte) {
    if (const OpInfo* info = opInfo(static_cast<uint8_t>(byte))) {
      EXPECT_EQ(static_cast<uint8_t>(info->op), byte);
      EXPECT_LE(info->protocol, 5);
      ++count;
    }
  }
  EXPECT_EQ(count, 68);  // len(pickletools.opcodes) in CPython 3.8+
}

}  // namespace
}  // namespace ckptlint::pickle
