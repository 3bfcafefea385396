// libFuzzer harness: a whole legacy torch.save read (the five pickles, the storages after them)
// and every rule that needs no model run over what was read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/core/engine.h"
#include "linter/formats/torch_legacy.h"
#include "rules/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  ckptlint::Result<ckptlint::formats::TorchLegacyContents> contents = ckptlint::formats::readTorchLegacy(file, "fuzz.pt");
  if (!contents) return 0;
  const ckptlint::Checkpoint& checkpoint = contents->checkpoint;
  const ckptlint::StateDictChoice choice = ckptlint::chooseStateDict(checkpoint, std::nullopt);
  ckptlint::AnalysisCache cache;
  const ckptlint::CheckContext context{checkpoint, choice, nullptr, cache};
  (void)ckptlint::runRules(ckptlint::rules::allRules(), context, ckptlint::EngineOptions{});
  return 0;
}
