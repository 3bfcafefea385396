// The torch.save zip writer behind rewriteCheckpoint: data.pkl re-emitted with the plan's key
// edits, every other record copied byte for byte into a PyTorch-style zip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "linter/fix/rewrite_checkpoint.h"
#include "linter/io/mapped_file.h"
#include "linter/io/zip_writer.h"

namespace ckptlint::fix {

Result<RewriteResult> rewriteTorchZip(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd,
                                      const RewriteOptions& options);

/// Reads a record of the input whose data starts at `data_offset`, chunk by chunk, for
/// ZipWriter::addStreamedRecord; `what` names it in errors ("storage '3'").
io::ChunkReader inputRecordReader(const io::MappedFile& file, uint64_t data_offset, std::string what);

/// The end of every zip this folder writes (torch zips and converted legacy files): the
/// central directory, the byte count, and a note when storages of dropped keys were left out.
Result<RewriteResult> finishZipRewrite(io::ZipWriter& writer, std::size_t storages_left_out, RewriteResult result);

}  // namespace ckptlint::fix
