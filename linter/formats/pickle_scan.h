// Scanning pickles for what they reference: every global of data.pkl, of the pickles that
// follow its STOP, and of every other pickle-bearing record of the archive. torch.load reads
// only data.pkl's first pickle, but a scanner that looks only there is how bypasses hide
// (a second pickle, a pickle under another name); ckptlint reports them all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/io/zip_reader.h"
#include "linter/pickle/reader.h"

namespace ckptlint::formats {

struct ScanLimits {
  uint64_t max_pickles_per_record = 1000;  // back-to-back pickles read from one record
  /// A record not named *.pkl is sniffed for a pickle header only when it is this small.
  uint64_t max_sniffed_record = uint64_t{64} << 20;
};

/// Adds `parsed`'s global references, found in `record`, to the checkpoint, with an issue for
/// each unresolved STACK_GLOBAL.
void addGlobals(const pickle::Pickle& parsed, const std::string& record, Checkpoint& checkpoint);

/// Reads pickles back to back from `start` to the end of `bytes` (the data after a STOP, or a
/// record holding several pickles), adding their globals. Bytes that are not a readable pickle
/// become a kUnreadablePickle issue; nothing here fails the read.
void scanTrailingPickles(std::string_view bytes, uint64_t start, const std::string& record,
                         Checkpoint& checkpoint, const ScanLimits& limits = {});

/// Whether the bytes begin as a binary pickle does (PROTO 2..5).
bool looksLikePickle(std::string_view bytes);

/// Scans `entry`, a record other than data.pkl: a *.pkl record must parse (else the error is
/// returned: a pickle ckptlint cannot read is never clean); another record is scanned only when
/// it starts like a pickle, and a failure there is an issue.
/// `name` is how findings name the record (without the archive root).
std::optional<Error> scanPickleRecord(const io::ZipArchive& zip, const io::ZipEntry& entry, const std::string& name,
                                      Checkpoint& checkpoint, const ScanLimits& limits = {});

}  // namespace ckptlint::formats
