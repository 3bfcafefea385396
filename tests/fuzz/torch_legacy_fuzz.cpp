// libFuzzer harness: a whole legacy torch.save read (the five pickles, the storages after them)
// and every rule that needs no model run over what was read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/formats/torch_legacy.h"
#include "tests/fuzz/model_free_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  ckptlint::Result<ckptlint::formats::TorchLegacyContents> contents = ckptlint::formats::readTorchLegacy(file, "fuzz.pt");
  if (!contents) return 0;
  ckptlint::fuzz::runModelFreeRules(contents->checkpoint);
  return 0;
}
