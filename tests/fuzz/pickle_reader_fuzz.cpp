// libFuzzer harness: the non-executing pickle reader on arbitrary bytes, then the object walk
// that finds tensors and state dicts in the value tree it built (shared nodes, cycles), and the
// --apply rewriter (reader trace + re-emission) renaming and dropping the first dict entries.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "linter/formats/object_walk.h"
#include "linter/pickle/reader.h"
#include "linter/pickle/rewriter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ckptlint::pickle::ReaderLimits limits;
  limits.max_nodes = 1'000'000;  // bounded memory per run; the limits are part of what is tested
  limits.max_memo_entries = 1'000'000;
  limits.max_stack_size = 1'000'000;
  ckptlint::Result<ckptlint::pickle::Pickle> parsed = ckptlint::pickle::readPickle(bytes, 0, limits);
  if (!parsed) return 0;
  (void)ckptlint::formats::walkObjectTree(*parsed->root());

  ckptlint::pickle::PickleTrace trace;
  ckptlint::Result<ckptlint::pickle::Pickle> traced = ckptlint::pickle::readPickle(bytes, 0, limits, &trace);
  if (!traced) return 0;
  using ckptlint::pickle::PairEdit;
  std::vector<PairEdit> edits;
  for (std::size_t fill = 0; fill < trace.dict_fills.size() && edits.size() < 3; ++fill) {
    if (trace.dict_fills[fill].pairs.empty()) continue;
    const bool drop = edits.size() == 1;
    edits.push_back({drop ? PairEdit::Kind::kDrop : PairEdit::Kind::kRenameKey, fill, 0, "renamed", edits.empty()});
  }
  ckptlint::Result<ckptlint::pickle::PickleRewrite> rewritten =
      ckptlint::pickle::rewritePickle(bytes, 0, *traced, trace, edits);
  // What the rewriter writes must read back.
  if (rewritten && !ckptlint::pickle::readPickle(rewritten->bytes, 0, limits).ok()) __builtin_trap();
  return 0;
}
