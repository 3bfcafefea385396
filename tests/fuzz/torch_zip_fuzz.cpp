// libFuzzer harness: a whole torch.save zip read (directory, data.pkl, the other pickles, CRCs)
// and every rule that needs no model run over what was read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "linter/formats/torch_zip.h"
#include "tests/fuzz/model_free_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  ckptlint::Result<ckptlint::formats::TorchZipContents> contents =
      ckptlint::formats::readTorchZip(file, "fuzz.pt", {}, ckptlint::formats::TorchZipOptions{true});
  if (!contents) return 0;
  ckptlint::fuzz::runModelFreeRules(contents->checkpoint);
  return 0;
}
