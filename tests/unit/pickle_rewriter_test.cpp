// The opcode-level pickle rewriter on hand-made streams: exactly which bytes change, memo
// aliasing refusals, FRAME lengths, and dropped pairs whose memo entries are used elsewhere.
#include "linter/pickle/rewriter.h"

#include <gtest/gtest.h>

#include "tests/unit/pickle_builder.h"

namespace ckptlint::pickle {
namespace {

using testing::PickleBuilder;

struct Traced {
  std::string bytes;
  Pickle pickle;
  PickleTrace trace;
};

Traced traced(const std::string& bytes) {
  PickleTrace trace;
  Result<Pickle> pickle = readPickle(bytes, 0, {}, &trace);
  EXPECT_TRUE(pickle.ok()) << pickle.error().message;
  return {bytes, std::move(pickle).value(), std::move(trace)};
}

// The edit for the pair whose key is the string `key` (the first such pair).
PairEdit editOf(const PickleTrace& trace, const std::string& key, PairEdit::Kind kind, const std::string& new_key = "") {
  for (std::size_t f = 0; f < trace.dict_fills.size(); ++f) {
    for (std::size_t p = 0; p < trace.dict_fills[f].pairs.size(); ++p) {
      const Value* k = trace.dict_fills[f].pairs[p].key;
      if (k->isString() && k->text == key) return {kind, f, p, new_key, false};
    }
  }
  ADD_FAILURE() << "no pair with key " << key;
  return {};
}

Result<PickleRewrite> rewrite(const Traced& input, const std::vector<PairEdit>& edits) {
  return rewritePickle(input.bytes, 0, input.pickle, input.trace, edits);
}

// Keys of the dict at the root (or the root tuple's element `index`), after reading `bytes` again.
std::vector<std::string> keysOf(const std::string& bytes, int index = -1) {
  Result<Pickle> pickle = readPickle(bytes);
  EXPECT_TRUE(pickle.ok()) << pickle.error().message;
  if (!pickle.ok()) return {};
  const Value* dict = index < 0 ? pickle->root() : pickle->root()->items[static_cast<std::size_t>(index)];
  std::vector<std::string> keys;
  for (const auto& entry : dict->entries()) keys.push_back(entry.first->text);
  return keys;
}

PickleBuilder& orderedDict(PickleBuilder& b) {
  return b.global("collections", "OrderedDict").binput(0).emptyTuple().reduce().binput(1);
}

TEST(PickleRewriter, ChangesOnlyTheKeyStrings) {
  PickleBuilder in;
  orderedDict(in).mark().unicode("module.a").binput(2).binint1(1).unicode("module.b").binput(3).binint1(2).setitems().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "module.a", PairEdit::Kind::kRenameKey, "a")});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected;
  orderedDict(expected).mark().unicode("a").binput(2).binint1(1).unicode("module.b").binput(3).binint1(2).setitems().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
}

TEST(PickleRewriter, NoEditsGiveTheSameBytes) {
  PickleBuilder in;
  orderedDict(in).mark().unicode("a").binput(2).binint1(1).setitems().stop();
  const Traced input = traced(in.bytes() + "trailing");
  Result<PickleRewrite> out = rewrite(input, {});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->bytes, input.bytes);
}

TEST(PickleRewriter, Protocol4FramesAreRecomputedAndShortStringsUsed) {
  const auto body = [](const std::string& first) {
    PickleBuilder b(0);  // no PROTO: the caller adds PROTO and FRAME
    b.emptyDict().op(static_cast<unsigned char>(0x94)).mark();
    b.shortUnicode(first).op(static_cast<unsigned char>(0x94)).binint1(1);
    b.shortUnicode("module.b").op(static_cast<unsigned char>(0x94)).binint1(2).setitems().stop();
    return b.bytes();
  };
  const auto framed = [](const std::string& content) {
    PickleBuilder b(4);
    b.op(static_cast<unsigned char>(0x95)).le(content.size(), 8).raw(content);
    return b.bytes();
  };
  const Traced input = traced(framed(body("module.a")));
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "module.a", PairEdit::Kind::kRenameKey, "a")});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->bytes, framed(body("a")));
  EXPECT_EQ(keysOf(out->bytes), (std::vector<std::string>{"a", "module.b"}));
}

TEST(PickleRewriter, ProtocolTwoUsesBinUnicodeForNewStrings) {
  PickleBuilder in;
  in.emptyDict().binput(0).mark().op('U').le(1, 1).raw("k").binint1(1).setitems().stop();  // SHORT_BINSTRING key
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "k", PairEdit::Kind::kRenameKey, "key")});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected;
  expected.emptyDict().binput(0).mark().unicode("key").binint1(1).setitems().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
}

TEST(PickleRewriter, AKeyReadBackElsewhereIsRefusedOrReencoded) {
  // {'k': 1, 'other': <the same string object as the key 'k'>}, as the C++ pickler shares strings.
  PickleBuilder in;
  in.emptyDict().binput(0).mark().unicode("k").binput(1).binint1(1).unicode("other").binput(2).binget(1).setitems().stop();
  const Traced input = traced(in.bytes());
  PairEdit edit = editOf(input.trace, "k", PairEdit::Kind::kRenameKey, "k2");
  Result<PickleRewrite> refused = rewrite(input, {edit});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("key 'k' is read back elsewhere"), std::string::npos) << refused.error().message;

  edit.reencode_shared_key = true;
  Result<PickleRewrite> out = rewrite(input, {edit});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected;  // the new key stands alone; the old string is defined where it is used
  expected.emptyDict().binput(0).mark().unicode("k2").binint1(1).unicode("other").binput(2).unicode("k").binput(1).setitems().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
}

TEST(PickleRewriter, AKeyThatIsAMemoReferenceIsRefusedOrReencoded) {
  // ('k', {'k': 1}): the key is a BINGET of a string defined before the dict.
  PickleBuilder in;
  in.unicode("k").binput(1).emptyDict().binput(2).mark().binget(1).binint1(1).setitems().tuple2().stop();
  const Traced input = traced(in.bytes());
  PairEdit edit = editOf(input.trace, "k", PairEdit::Kind::kRenameKey, "new");
  Result<PickleRewrite> refused = rewrite(input, {edit});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("same string object"), std::string::npos) << refused.error().message;

  edit.reencode_shared_key = true;
  Result<PickleRewrite> out = rewrite(input, {edit});
  ASSERT_TRUE(out.ok()) << out.error().message;
  Result<Pickle> reread = readPickle(out->bytes);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->root()->items[0]->text, "k");
  EXPECT_EQ(keysOf(out->bytes, 1), (std::vector<std::string>{"new"}));
}

// {'a': (FloatStorage, 'storage'), 'b': (<same global>, <same string>)}: dropping 'a' must
// define the global and the string again where 'b' first uses them, under the same memo indices.
TEST(PickleRewriter, DroppingAPairRedefinesSharedLeavesAtTheirFirstUse) {
  PickleBuilder in;
  in.emptyDict().binput(0).mark();
  in.unicode("a").binput(1).global("torch", "FloatStorage").binput(2).unicode("storage").binput(3).tuple2().binput(4);
  in.unicode("b").binput(5).binget(2).binget(3).tuple2().binput(6);
  in.setitems().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected;
  expected.emptyDict().binput(0).mark();
  expected.unicode("b").binput(5).global("torch", "FloatStorage").binput(2).unicode("storage").binput(3).tuple2().binput(6);
  expected.setitems().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
}

TEST(PickleRewriter, DroppingAPairWhoseObjectIsSharedIsRefused) {
  // {'a': (1, 2), 'b': <the same tuple>}: the tuple cannot be re-made from one opcode.
  PickleBuilder in;
  in.emptyDict().binput(0).mark();
  in.unicode("a").binput(1).binint1(1).binint1(2).tuple2().binput(2);
  in.unicode("b").binput(3).binget(2);
  in.setitems().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> refused = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("dropping key 'a' would remove an object that is also used outside it"),
            std::string::npos) << refused.error().message;
  // The reference itself can go.
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "b", PairEdit::Kind::kDrop)});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(keysOf(out->bytes), (std::vector<std::string>{"a"}));
}

TEST(PickleRewriter, DroppingAPairThatChangesAnOutsideObjectIsRefused) {
  // ([5], {'a': <the list, with 5 appended inside the pair>, 'b': 1})
  PickleBuilder in;
  in.emptyList().binput(9).emptyDict().binput(0).mark();
  in.unicode("a").binget(9).binint1(5).op('a');
  in.unicode("b").binint1(1).setitems().tuple2().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> refused = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("change its value makes to an object outside it"), std::string::npos)
      << refused.error().message;
}

TEST(PickleRewriter, ALoneSetItemGoesWithItsPair) {
  PickleBuilder in;
  in.emptyDict().binput(0).unicode("a").binint1(1).setitem().unicode("b").binint1(2).setitem().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected;
  expected.emptyDict().binput(0).unicode("b").binint1(2).setitem().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
}

TEST(PickleRewriter, Protocol4DropsSpellOutMemoizeIndices) {
  // {'a': 'x', 'b': <same 'x'>} with implicit MEMOIZE indices 0..3.
  const unsigned char memoize = 0x94;
  PickleBuilder in(4);
  in.emptyDict().op(memoize).mark();
  in.shortUnicode("a").op(memoize).shortUnicode("x").op(memoize);
  in.shortUnicode("b").op(memoize).binget(2).setitems().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected(4);
  expected.emptyDict().binput(0).mark().shortUnicode("b").binput(3).shortUnicode("x").binput(2).setitems().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
  Result<Pickle> reread = readPickle(out->bytes);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->root()->entries().at(0).second->text, "x");
}

TEST(PickleRewriter, Protocol4GlobalsAreRedefinedWithTheirStrings) {
  // {'a': torch.FloatStorage, 'b': <the same global>}: protocol 4 spells the global as two
  // memoized strings and STACK_GLOBAL, all inside the dropped pair.
  const unsigned char memoize = 0x94, stack_global = 0x93;
  PickleBuilder in(4);
  in.emptyDict().op(memoize).mark();
  in.shortUnicode("a").op(memoize).shortUnicode("torch").op(memoize).shortUnicode("FloatStorage").op(memoize);
  in.op(stack_global).op(memoize);
  in.shortUnicode("b").op(memoize).binget(4).setitems().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_TRUE(out.ok()) << out.error().message;
  PickleBuilder expected(4);
  expected.emptyDict().binput(0).mark().shortUnicode("b").binput(5);
  expected.shortUnicode("torch").binput(2).shortUnicode("FloatStorage").binput(3).op(stack_global).binput(4);
  expected.setitems().stop();
  EXPECT_EQ(out->bytes, expected.bytes());
  Result<Pickle> reread = readPickle(out->bytes);
  ASSERT_TRUE(reread.ok());
  EXPECT_TRUE(reread->root()->entries().at(0).second->isGlobal("torch", "FloatStorage"));
}

TEST(PickleRewriter, AFrameBetweenKeyAndValueStays) {
  const unsigned char memoize = 0x94, frame = 0x95;
  const auto stream = [&](const std::string& key) {
    PickleBuilder first(0), second(0);
    first.emptyDict().op(memoize).mark().shortUnicode(key).op(memoize);
    second.binint1(1).setitems().stop();
    PickleBuilder b(4);
    b.op(frame).le(first.bytes().size(), 8).raw(first.bytes()).op(frame).le(second.bytes().size(), 8).raw(second.bytes());
    return b.bytes();
  };
  const Traced input = traced(stream("module.a"));
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "module.a", PairEdit::Kind::kRenameKey, "a")});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->bytes, stream("a"));
}

TEST(PickleRewriter, ReportsWhichPersistentIdsWereDropped) {
  PickleBuilder in;
  in.emptyDict().binput(0).mark();
  in.unicode("a").unicode("storage").unicode("0").tuple2().binpersid();
  in.unicode("b").unicode("storage").unicode("1").tuple2().binpersid();
  in.setitems().stop();
  const Traced input = traced(in.bytes());
  Result<PickleRewrite> out = rewrite(input, {editOf(input.trace, "a", PairEdit::Kind::kDrop)});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->dropped_persistent_ids.size(), 1u);
  ASSERT_EQ(out->kept_persistent_ids.size(), 1u);
  EXPECT_EQ(out->dropped_persistent_ids[0]->items[0]->items[1]->text, "0");
  EXPECT_EQ(out->kept_persistent_ids[0]->items[0]->items[1]->text, "1");
}

// A legacy storage id ('storage', type, key, location, numel, None), as torch 1.13's
// _legacy_save pickles it: MARK ... NONE TUPLE BINPUT BINPERSID.
PickleBuilder& legacyStorageId(PickleBuilder& b, const std::string& key, int memo, bool view = false) {
  b.mark().unicode("storage").global("torch", "FloatStorage").unicode(key).unicode("cpu").binint1(4);
  if (view) {
    b.unicode("v").binint1(0).binint1(2).tuple2();  // not the real shape of a view; enough to refuse
  } else {
    b.none();
  }
  return b.tuple().binput(memo).binpersid();
}

std::vector<std::size_t> allLoads(const PickleTrace& trace) {
  std::vector<std::size_t> loads(trace.persistent_loads.size());
  for (std::size_t i = 0; i < loads.size(); ++i) loads[i] = i;
  return loads;
}

TEST(PickleRewriter, TrimsTheNoneOffLegacyPersistentIds) {
  const auto stream = [](bool legacy) {
    PickleBuilder b;
    b.emptyDict().binput(0).mark().unicode("a");
    if (legacy) legacyStorageId(b, "94", 1); else b.mark().unicode("storage").global("torch", "FloatStorage").unicode("94").unicode("cpu").binint1(4).tuple().binput(1).binpersid();
    b.unicode("b");
    if (legacy) legacyStorageId(b, "95", 2); else b.mark().unicode("storage").global("torch", "FloatStorage").unicode("95").unicode("cpu").binint1(4).tuple().binput(2).binpersid();
    return b.setitems().stop().bytes();
  };
  const Traced input = traced(stream(true));
  Result<PickleRewrite> out = rewritePickle(input.bytes, 0, input.pickle, input.trace, {}, allLoads(input.trace));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->bytes, stream(false));  // exactly the two NONE opcodes gone
  Result<Pickle> back = readPickle(out->bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->root()->entries()[0].second->items[0]->items.size(), 5u);
}

TEST(PickleRewriter, TrimsOnlyTheNamedPersistentIdAndCombinesWithDrops) {
  PickleBuilder b;
  b.emptyDict().binput(0).mark().unicode("a");
  legacyStorageId(b, "94", 1).unicode("b");
  legacyStorageId(b, "95", 2).setitems().stop();
  const Traced input = traced(b.bytes());
  Result<PickleRewrite> out =
      rewritePickle(input.bytes, 0, input.pickle, input.trace, {editOf(input.trace, "a", PairEdit::Kind::kDrop)}, {1});
  ASSERT_TRUE(out.ok()) << out.error().message;
  Result<Pickle> back = readPickle(out->bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->root()->entries().size(), 1u);
  EXPECT_EQ(back->root()->entries()[0].first->text, "b");
  EXPECT_EQ(back->root()->entries()[0].second->items[0]->items.size(), 5u);
  const PickleTrace::DictFill& fill = input.trace.dict_fills[0];
  const uint64_t dropped_pair = fill.pairs[1].key_start - fill.pairs[0].key_start;
  EXPECT_EQ(out->bytes.size(), input.bytes.size() - dropped_pair - 1) << "the dropped pair and one NONE";
}

TEST(PickleRewriter, RefusesToTrimAViewOrAMemoSharedId) {
  PickleBuilder view;
  view.emptyDict().binput(0).mark().unicode("a");
  legacyStorageId(view, "94", 1, /*view=*/true).setitems().stop();
  const Traced with_view = traced(view.bytes());
  Result<PickleRewrite> out = rewritePickle(with_view.bytes, 0, with_view.pickle, with_view.trace, {}, {0});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("does not end in None"), std::string::npos) << out.error().message;

  PickleBuilder shared;
  shared.emptyDict().binput(0).mark().unicode("a");
  legacyStorageId(shared, "94", 1).unicode("b").binget(1).setitems().stop();
  const Traced with_get = traced(shared.bytes());
  out = rewritePickle(with_get.bytes, 0, with_get.pickle, with_get.trace, {}, {0});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("read back through the memo"), std::string::npos) << out.error().message;
}

}  // namespace
}  // namespace ckptlint::pickle
