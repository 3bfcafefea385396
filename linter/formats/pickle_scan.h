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
  /// Records without a binary pickle header this small are also tried as protocol 0/1 text
  /// pickles (which have no header); what does not parse is taken for data.
  uint64_t max_text_pickle_record = uint64_t{1} << 20;
};

/// Bytes a file's scans may inflate in all (records torch itself never reads can be zip bombs,
/// and many directory entries can share one deflated record); what is over budget is not read
/// and becomes an issue.
class InflateBudget {
 public:
  explicit InflateBudget(uint64_t bytes) : left_(bytes) {}
  /// Takes the record's inflated size from the budget; false (taking nothing) if it does not fit.
  bool take(const io::ZipEntry& entry) {
    const uint64_t cost = entry.method == 0 ? 0 : entry.uncompressed_size;
    if (cost > left_) return false;
    left_ -= cost;
    return true;
  }

 private:
  uint64_t left_;
};

/// Adds `parsed`'s global references, found in `record`, to the checkpoint, with an issue for
/// each unresolved STACK_GLOBAL.
void addGlobals(const pickle::Pickle& parsed, const std::string& record, Checkpoint& checkpoint);

/// A kLatin1Strings issue when `parsed` holds Python 2 byte strings that are not UTF-8.
void noteLatin1Strings(const pickle::Pickle& parsed, const std::string& record, Checkpoint& checkpoint);

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
/// `crc_checked` is set when the record was read whole (its CRC-32 checked then).
std::optional<Error> scanPickleRecord(const io::ZipArchive& zip, const io::ZipEntry& entry, const std::string& name,
                                      Checkpoint& checkpoint, InflateBudget& budget, bool* crc_checked,
                                      const ScanLimits& limits = {});

}  // namespace ckptlint::formats
