#include "linter/formats/pickle_scan.h"

#include "linter/core/bounded_issues.h"

namespace ckptlint::formats {
namespace {

bool endsWithPkl(std::string_view name) {
  if (name.size() < 4) return false;
  std::string tail(name.substr(name.size() - 4));
  for (char& c : tail) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return tail == ".pkl";
}

void addIssue(Checkpoint& checkpoint, ReadIssue::Kind kind, const std::string& record, uint64_t offset,
              std::string message) {
  checkpoint.issues.push_back({kind, record, offset, std::move(message), {}});
}

}  // namespace

void addGlobals(const pickle::Pickle& parsed, const std::string& record, Checkpoint& checkpoint) {
  BoundedIssues unresolved(20, "unresolved globals");
  for (const pickle::GlobalRef& global : parsed.globals()) {
    checkpoint.globals.push_back({global.module, global.name, record, global.offset, global.resolved});
    if (!global.resolved) {
      unresolved.add(ReadIssue::Kind::kUnresolvedGlobal, record, global.offset,
                     record + " offset " + std::to_string(global.offset) +
                         ": STACK_GLOBAL whose module or name is not a string; torch.load fails on it");
    }
  }
  for (ReadIssue& issue : unresolved.take()) checkpoint.issues.push_back(std::move(issue));
}

void noteLatin1Strings(const pickle::Pickle& parsed, const std::string& record, Checkpoint& checkpoint) {
  if (parsed.latin1Strings() == 0) return;
  addIssue(checkpoint, ReadIssue::Kind::kLatin1Strings, record, parsed.firstLatin1Offset(),
           record + " holds " + std::to_string(parsed.latin1Strings()) +
               " Python 2 byte strings that are not UTF-8 (first at offset " +
               std::to_string(parsed.firstLatin1Offset()) +
               "), read as Latin-1: torch.load needs encoding='latin1' for this file");
}

void scanTrailingPickles(std::string_view bytes, uint64_t start, const std::string& record, Checkpoint& checkpoint,
                         const ScanLimits& limits) {
  for (uint64_t count = 0; start < bytes.size(); ++count) {
    if (count == limits.max_pickles_per_record) {
      addIssue(checkpoint, ReadIssue::Kind::kUnreadablePickle, record, start,
               record + ": more than " + std::to_string(count) + " pickles back to back; the bytes from offset " +
                   std::to_string(start) + " on were not scanned");
      return;
    }
    Result<pickle::Pickle> parsed = pickle::readPickle(bytes, start);
    if (!parsed) {
      addIssue(checkpoint, ReadIssue::Kind::kUnreadablePickle, record, start,
               record + ": the " + std::to_string(bytes.size() - start) + " bytes from offset " +
                   std::to_string(start) + " are not a pickle ckptlint can read (" + parsed.error().message +
                   "), so they could not be checked for unsafe globals");
      return;
    }
    addGlobals(*parsed, record, checkpoint);
    start = parsed->endOffset();
  }
}

bool looksLikePickle(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

std::optional<Error> scanPickleRecord(const io::ZipArchive& zip, const io::ZipEntry& entry, const std::string& name,
                                      Checkpoint& checkpoint, InflateBudget& budget, bool* crc_checked,
                                      const ScanLimits& limits) {
  *crc_checked = false;
  const bool named_pickle = endsWithPkl(entry.name);
  if (!named_pickle && entry.uncompressed_size > limits.max_sniffed_record) return std::nullopt;
  if (!entry.readable(zip.limits())) return std::nullopt;
  bool binary_pickle = false;
  if (!named_pickle) {
    // Two bytes say whether it is a binary pickle; only those and small records are read whole.
    Result<std::string> head = zip.readPrefix(entry, 2);
    binary_pickle = head && looksLikePickle(*head);
    if (!binary_pickle && entry.uncompressed_size > limits.max_text_pickle_record) return std::nullopt;
  }
  if (!budget.take(entry)) {
    addIssue(checkpoint, ReadIssue::Kind::kUnreadablePickle, name, entry.local_header_offset,
             "record '" + name + "' was not scanned for pickles: the file's records inflate to more than " +
                 "ckptlint reads for one file");
    return std::nullopt;
  }
  Result<io::RecordBytes> bytes = zip.read(entry);
  if (!bytes) {
    if (!named_pickle && !binary_pickle) return std::nullopt;  // data, not a pickle
    addIssue(checkpoint, ReadIssue::Kind::kUnreadablePickle, name, entry.local_header_offset,
             "record '" + name + "' could not be read to scan it for pickles: " + bytes.error().message);
    return std::nullopt;
  }
  const std::string_view data = bytes->bytes();
  auto check_crc = [&] {
    if (auto crc = io::checkCrc(entry, data)) checkpoint.issues.push_back(std::move(*crc));
    *crc_checked = true;
  };
  if (named_pickle) {
    check_crc();
    Result<pickle::Pickle> first = pickle::readPickle(data);
    if (!first) return makeError(name + ": " + first.error().message);
    addGlobals(*first, name, checkpoint);
    scanTrailingPickles(data, first->endOffset(), name, checkpoint, limits);
  } else if (binary_pickle) {
    check_crc();
    scanTrailingPickles(data, 0, name, checkpoint, limits);
  } else if (Result<pickle::Pickle> text = pickle::readPickle(data); text && !text->globals().empty()) {
    // A protocol 0/1 pickle has no header: a small record that parses as one is scanned.
    check_crc();
    addGlobals(*text, name, checkpoint);
    scanTrailingPickles(data, text->endOffset(), name, checkpoint, limits);
  }
  return std::nullopt;
}

}  // namespace ckptlint::formats
