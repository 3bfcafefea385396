#include "linter/pickle/opcodes.h"

#include <array>

namespace ckptlint::pickle {
namespace {

constexpr OpInfo kOps[] = {
    {Op::kMark, "MARK", 0}, {Op::kStop, "STOP", 0}, {Op::kPop, "POP", 0}, {Op::kPopMark, "POP_MARK", 1},
    {Op::kDup, "DUP", 0}, {Op::kFloat, "FLOAT", 0}, {Op::kInt, "INT", 0}, {Op::kBinInt, "BININT", 1},
    {Op::kBinInt1, "BININT1", 1}, {Op::kLong, "LONG", 0}, {Op::kBinInt2, "BININT2", 1}, {Op::kNone, "NONE", 0},
    {Op::kPersId, "PERSID", 0}, {Op::kBinPersId, "BINPERSID", 1}, {Op::kReduce, "REDUCE", 0},
    {Op::kString, "STRING", 0}, {Op::kBinString, "BINSTRING", 1}, {Op::kShortBinString, "SHORT_BINSTRING", 1},
    {Op::kUnicode, "UNICODE", 0}, {Op::kBinUnicode, "BINUNICODE", 1}, {Op::kAppend, "APPEND", 0},
    {Op::kBuild, "BUILD", 0}, {Op::kGlobal, "GLOBAL", 0}, {Op::kDict, "DICT", 0},
    {Op::kEmptyDict, "EMPTY_DICT", 1}, {Op::kAppends, "APPENDS", 1}, {Op::kGet, "GET", 0},
    {Op::kBinGet, "BINGET", 1}, {Op::kInst, "INST", 0}, {Op::kLongBinGet, "LONG_BINGET", 1},
    {Op::kList, "LIST", 0}, {Op::kEmptyList, "EMPTY_LIST", 1}, {Op::kObj, "OBJ", 1}, {Op::kPut, "PUT", 0},
    {Op::kBinPut, "BINPUT", 1}, {Op::kLongBinPut, "LONG_BINPUT", 1}, {Op::kSetItem, "SETITEM", 0},
    {Op::kTuple, "TUPLE", 0}, {Op::kEmptyTuple, "EMPTY_TUPLE", 1}, {Op::kSetItems, "SETITEMS", 1},
    {Op::kBinFloat, "BINFLOAT", 1}, {Op::kProto, "PROTO", 2}, {Op::kNewObj, "NEWOBJ", 2},
    {Op::kExt1, "EXT1", 2}, {Op::kExt2, "EXT2", 2}, {Op::kExt4, "EXT4", 2}, {Op::kTuple1, "TUPLE1", 2},
    {Op::kTuple2, "TUPLE2", 2}, {Op::kTuple3, "TUPLE3", 2}, {Op::kNewTrue, "NEWTRUE", 2},
    {Op::kNewFalse, "NEWFALSE", 2}, {Op::kLong1, "LONG1", 2}, {Op::kLong4, "LONG4", 2},
    {Op::kBinBytes, "BINBYTES", 3}, {Op::kShortBinBytes, "SHORT_BINBYTES", 3},
    {Op::kShortBinUnicode, "SHORT_BINUNICODE", 4}, {Op::kBinUnicode8, "BINUNICODE8", 4},
    {Op::kBinBytes8, "BINBYTES8", 4}, {Op::kEmptySet, "EMPTY_SET", 4}, {Op::kAddItems, "ADDITEMS", 4},
    {Op::kFrozenSet, "FROZENSET", 4}, {Op::kNewObjEx, "NEWOBJ_EX", 4}, {Op::kStackGlobal, "STACK_GLOBAL", 4},
    {Op::kMemoize, "MEMOIZE", 4}, {Op::kFrame, "FRAME", 4}, {Op::kByteArray8, "BYTEARRAY8", 5},
    {Op::kNextBuffer, "NEXT_BUFFER", 5}, {Op::kReadOnlyBuffer, "READONLY_BUFFER", 5},
};

std::array<const OpInfo*, 256> buildTable() {
  std::array<const OpInfo*, 256> table{};
  for (const OpInfo& info : kOps) table[static_cast<uint8_t>(info.op)] = &info;
  return table;
}

}  // namespace

const OpInfo* opInfo(uint8_t byte) {
  static const std::array<const OpInfo*, 256> table = buildTable();
  return table[byte];
}

}  // namespace ckptlint::pickle
