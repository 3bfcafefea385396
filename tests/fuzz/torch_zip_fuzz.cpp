// libFuzzer harness: a whole torch.save zip read (directory, data.pkl, the other pickles, CRCs)
// and every rule that needs no model run over what was read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/core/engine.h"
#include "linter/formats/torch_zip.h"
#include "rules/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  ckptlint::Result<ckptlint::formats::TorchZipContents> contents =
      ckptlint::formats::readTorchZip(file, "fuzz.pt", {}, ckptlint::formats::TorchZipOptions{true});
  if (!contents) return 0;
  const ckptlint::Checkpoint& checkpoint = contents->checkpoint;
  const ckptlint::StateDictChoice choice = ckptlint::chooseStateDict(checkpoint, std::nullopt);
  ckptlint::AnalysisCache cache;
  const ckptlint::CheckContext context{checkpoint, choice, nullptr, cache};
  (void)ckptlint::runRules(ckptlint::rules::allRules(), context, ckptlint::EngineOptions{});
  return 0;
}
