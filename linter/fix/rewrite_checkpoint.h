// rewriteCheckpoint: writes a checkpoint with an EditPlan applied, for `--apply`. The state
// dict's keys change in the pickle; every other byte of every tensor record is copied as is.
// One writer per format; this file only dispatches on Checkpoint::format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linter/core/result.h"
#include "linter/fix/edit_plan.h"
#include "linter/formats/load.h"
#include "linter/io/zip_writer.h"

namespace ckptlint::fix {

struct RewriteResult {
  uint64_t bytes_written = 0;
  std::vector<std::string> notes;  // things the user should be told, e.g. "dropped .format_version"
};

/// Writes `input` with `plan` applied to `out_fd` (a new, empty file opened for writing).
/// Streams record bytes from the input file in chunks (never the whole file in memory). All
/// writes go through io::writeAll (linter/io/write_all.h, which has a fault-injection hook).
/// An error names the problem in one line (e.g. "key 'x' is also used as a storage key; not
/// rewritten"); the caller then discards whatever reached `out_fd`.
Result<RewriteResult> rewriteCheckpoint(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd);

/// Knobs for tests: the zip format's limits, lowered to exercise ZIP64 without writing 4 GiB.
struct RewriteOptions {
  io::ZipWriterOptions zip;
};
Result<RewriteResult> rewriteCheckpoint(const formats::LoadedCheckpoint& input, const EditPlan& plan, int out_fd,
                                        const RewriteOptions& options);

}  // namespace ckptlint::fix
