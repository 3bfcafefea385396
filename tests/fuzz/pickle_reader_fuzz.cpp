// libFuzzer harness: the non-executing pickle reader on arbitrary bytes, then the object walk
// that finds tensors and state dicts in the value tree it built (shared nodes, cycles).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/formats/object_walk.h"
#include "linter/pickle/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ckptlint::pickle::ReaderLimits limits;
  limits.max_nodes = 1'000'000;  // bounded memory per run; the limits are part of what is tested
  limits.max_memo_entries = 1'000'000;
  limits.max_stack_size = 1'000'000;
  ckptlint::Result<ckptlint::pickle::Pickle> parsed = ckptlint::pickle::readPickle(bytes, 0, limits);
  if (!parsed) return 0;
  (void)ckptlint::formats::walkObjectTree(*parsed->root());
  return 0;
}
