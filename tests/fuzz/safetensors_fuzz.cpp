// libFuzzer harness: a whole safetensors read (header length, UTF-8, JSON, entries, offsets) and
// every rule that needs no model run over what was read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/formats/safetensors.h"
#include "tests/fuzz/model_free_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  ckptlint::Result<ckptlint::Checkpoint> checkpoint = ckptlint::formats::readSafetensors(file, "fuzz.safetensors");
  if (!checkpoint) return 0;
  const ckptlint::StateDictChoice choice = ckptlint::chooseStateDict(*checkpoint, std::nullopt);
  ckptlint::AnalysisCache cache;
  const ckptlint::CheckContext context{*checkpoint, choice, nullptr, cache};
  (void)ckptlint::runRules(ckptlint::rules::allRules(), context, ckptlint::EngineOptions{});
  return 0;
}
