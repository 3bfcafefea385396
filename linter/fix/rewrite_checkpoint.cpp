#include "linter/fix/rewrite_checkpoint.h"

#include "linter/fix/rewrite_legacy.h"
#include "linter/fix/rewrite_safetensors.h"
#include "linter/fix/torch_zip_rewrite.h"

namespace ckptlint::fix {

Result<RewriteResult> rewriteCheckpoint(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd) {
  return rewriteCheckpoint(input, plan, out_fd, RewriteOptions{});
}

Result<RewriteResult> rewriteCheckpoint(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd,
                                        const RewriteOptions& options) {
  const std::string& format = input.checkpoint.format;
  // One line per format writer.
  if (format == "torch-zip") return rewriteTorchZip(input, plan, out_fd, options);
  if (format == "safetensors") return rewriteSafetensors(input, plan, out_fd);
  if (format == "torch-legacy") return rewriteLegacy(input, plan, out_fd, options);  // converted to the zip format
  if (format == "torchscript") {
    return makeError("a TorchScript archive: --apply does not rewrite TorchScript (save the fixed model with "
                     "torch.jit.save again)");
  }
  if (format == "sharded") {
    return makeError("--apply does not rewrite a sharded checkpoint (an index and its shards) yet");
  }
  return makeError("--apply cannot write the " + (format.empty() ? std::string("unknown") : format) +
                   " format yet");
}

}  // namespace ckptlint::fix
