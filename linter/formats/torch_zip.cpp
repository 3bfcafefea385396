#include "linter/formats/torch_zip.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_set>

#include "linter/core/bounded_issues.h"
#include "linter/core/text.h"
#include "linter/formats/object_walk.h"
#include "linter/formats/pickle_scan.h"
#include "linter/formats/storage_checks.h"
#include "linter/formats/torchscript.h"

namespace ckptlint::formats {
namespace {

// PyTorch's reader supports file format versions 1..10 (caffe2/serialize/versions.h).
constexpr uint64_t kMinFormatVersion = 1;
constexpr uint64_t kMaxFormatVersion = 10;

// What scanning and CRC checks of one file may inflate: generous for real archives (whose
// non-storage records are small), bounded for bombs made of deflated records.
uint64_t inflateBudgetFor(uint64_t file_size) {
  constexpr uint64_t kFloor = uint64_t{256} << 20;
  return std::max(kFloor, file_size > (uint64_t{1} << 58) ? file_size : file_size * 16);
}

class TorchZipReader {
 public:
  TorchZipReader(io::ZipArchive zip, std::string_view file, const std::string& path, const TorchZipOptions& options)
      : zip_(std::move(zip)), options_(options), budget_(inflateBudgetFor(file.size())) {
    checkpoint_.file = path;
    checkpoint_.format = "torch-zip";
    checkpoint_.file_size = file.size();
  }

  Result<TorchZipContents> read() {
    if (auto error = findRoot()) return *error;
    if (auto error = rejectAmbiguousNames()) return *error;
    if (auto error = rejectOtherZipKinds()) return *error;
    if (auto error = checkVersion()) return *error;
    if (auto error = readByteOrder()) return *error;
    const io::ZipEntry* data_pkl = record("data.pkl");
    if (data_pkl == nullptr) return makeError("no data.pkl record: not a torch.save checkpoint");
    Result<io::RecordBytes> bytes = zip_.read(*data_pkl);
    if (!bytes) return bytes.error();
    checkCrc(*data_pkl, bytes->bytes());
    Result<pickle::Pickle> parsed = pickle::readPickle(bytes->bytes());
    if (!parsed) return makeError("data.pkl: " + parsed.error().message);
    takePickleFacts(*parsed, bytes->bytes());
    Result<ObjectContents> contents = torchscript_ ? readScriptModules(*parsed->root(), readText())
                                                   : walkObjectTree(*parsed->root());
    if (!contents) return makeError("data.pkl: " + contents.error().message);
    checkpoint_.tensors = std::move(contents->tensors);
    checkpoint_.state_dicts = std::move(contents->state_dicts);
    checkpoint_.optimizer_states = std::move(contents->optimizer_states);
    appendIssues(std::move(contents->issues));
    if (auto error = locateStorages()) return *error;
    noteUnusedStorages();
    if (auto error = scanOtherPickles()) return *error;
    checkOtherCrcs();
    listRecords();
    appendIssues(tensor_issues_.take());
    for (ReadIssue issue : zip_.issues()) {
      issue.message = "zip: " + issue.message;
      checkpoint_.issues.push_back(std::move(issue));
    }
    return TorchZipContents{std::move(zip_), std::move(parsed).value(), std::move(checkpoint_)};
  }

 private:
  void takePickleFacts(const pickle::Pickle& parsed, std::string_view record) {
    checkpoint_.pickle_protocol = parsed.protocol();
    addGlobals(parsed, "data.pkl", checkpoint_);
    if (parsed.endOffset() < record.size()) {
      // torch.load ignores them; other loaders (and the legacy format) read on, so they are scanned.
      addIssue(ReadIssue::Kind::kDataAfterStop, "data.pkl", parsed.endOffset(),
               "data.pkl has " + std::to_string(record.size() - parsed.endOffset()) + " bytes after the pickle's STOP");
      scanTrailingPickles(record, parsed.endOffset(), "data.pkl", checkpoint_);
    }
    noteLatin1Strings(parsed, "data.pkl", checkpoint_);
  }

  void addIssue(ReadIssue::Kind kind, std::string record, uint64_t offset, std::string message) {
    checkpoint_.issues.push_back({kind, std::move(record), offset, std::move(message), {}});
  }

  void appendIssues(std::vector<ReadIssue> issues) {
    for (ReadIssue& issue : issues) checkpoint_.issues.push_back(std::move(issue));
  }

  void checkCrc(const io::ZipEntry& entry, std::string_view bytes) {
    if (auto mismatch = io::checkCrc(entry, bytes)) checkpoint_.issues.push_back(std::move(*mismatch));
    crc_checked_data_.insert(entry.data_offset);
  }

  // PyTorch takes the root folder from the first central-directory entry.
  std::optional<Error> findRoot() {
    if (zip_.entries().empty()) return makeError("zip archive has no records");
    const std::string& first = zip_.entries().front().name;
    const std::size_t slash = first.find('/');
    if (slash == std::string::npos || slash == 0) {
      return makeError("record '" + first + "' is not inside a folder; torch.load requires every record under one root folder");
    }
    root_ = first.substr(0, slash + 1);
    checkpoint_.archive_root = first.substr(0, slash);
    BoundedIssues outside(20, "records outside the root folder");
    for (const io::ZipEntry& entry : zip_.entries()) {
      if (entry.name.compare(0, root_.size(), root_) != 0) {
        outside.add(ReadIssue::Kind::kOutsideRoot, entry.name, entry.local_header_offset,
                    "record '" + entry.name + "' is outside the root folder '" + checkpoint_.archive_root + "'");
      }
    }
    appendIssues(outside.take());
    return std::nullopt;
  }

  // PyTorch's zip reader matches names case-insensitively and picks among equal names by an
  // unstable sort: when a record torch reads has two candidates, what it loads cannot be known.
  // (Duplicates among records it never reads are only noted, by the zip reader.)
  std::optional<Error> rejectAmbiguous(const std::string& name) const { return rejectAmbiguousPath(root_ + name); }
  // `path`: the record's whole name, root folder included.
  std::optional<Error> rejectAmbiguousPath(const std::string& path) const {
    if (!zip_.isAmbiguous(path)) return std::nullopt;
    return makeError("record name '" + path +
                     "' is used more than once (names compare case-insensitively); which one torch.load reads is "
                     "unspecified");
  }

  std::optional<Error> rejectAmbiguousNames() const {
    for (const char* name : {"data.pkl", "version", ".data/version", "byteorder", "constants.pkl"}) {
      if (auto error = rejectAmbiguous(name)) return error;
    }
    return std::nullopt;
  }

  std::optional<Error> rejectOtherZipKinds() {
    // torch.jit.load needs constants.pkl; torch.save never writes it.
    if (record("constants.pkl") != nullptr) {
      torchscript_ = true;
      checkpoint_.format = "torchscript";
    }
    if (record(".data/extern_modules") != nullptr) {
      return makeError("a torch.package archive: not supported");
    }
    return std::nullopt;
  }

  // torch reads `.data/version` when present, else `version`, and parses it like stoull:
  // leading whitespace, then digits; anything after them is ignored.
  std::optional<Error> checkVersion() {
    const io::ZipEntry* version = record(".data/version");
    if (version == nullptr) version = record("version");
    if (version == nullptr) return makeError("no 'version' record: torch.load refuses such an archive");
    Result<io::RecordBytes> bytes = zip_.read(*version);
    if (!bytes) return bytes.error();
    checkCrc(*version, bytes->bytes());
    std::string_view text = bytes->bytes();
    while (!text.empty() && std::string_view(" \t\n\v\f\r").find(text.front()) != std::string_view::npos) {
      text.remove_prefix(1);
    }
    // stoull takes a sign; a negative version wraps around to a huge one, which torch refuses.
    const bool negative = !text.empty() && text.front() == '-';
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
    uint64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (end == text.data()) {
      return makeError("'" + version->name + "' record is not a number: '" + std::string(text.substr(0, 20)) + "'");
    }
    const std::string digits(text.substr(0, static_cast<std::size_t>(end - text.data())));
    if (negative || ec != std::errc() || number < kMinFormatVersion || number > kMaxFormatVersion) {
      return makeError("file format version " + std::string(negative ? "-" : "") + digits +
                       " is outside what PyTorch reads (" + std::to_string(kMinFormatVersion) + ".." +
                       std::to_string(kMaxFormatVersion) + ")");
    }
    return std::nullopt;
  }

  std::optional<Error> readByteOrder() {
    const io::ZipEntry* entry = record("byteorder");
    if (entry == nullptr) return std::nullopt;  // written since 2.1; absent means little-endian
    Result<io::RecordBytes> bytes = zip_.read(*entry);
    if (!bytes) return bytes.error();
    checkCrc(*entry, bytes->bytes());
    const std::string_view value = bytes->bytes();
    if (value != "little" && value != "big") {
      return makeError("'byteorder' record holds '" + std::string(value.substr(0, 20)) + "', not 'little' or 'big'");
    }
    checkpoint_.byteorder = std::string(value);
    return std::nullopt;
  }

  // Finds each tensor's storage record (once), refusing ambiguous ones; remembers which records
  // are used for noteUnusedStorages.
  std::optional<Error> locateStorages() {
    std::unordered_set<std::string> reported;
    std::string path;  // root/data/KEY, built in one reused buffer: 100k tensors, no allocations
    for (TensorInfo& tensor : checkpoint_.tensors) {
      if (tensor.storage_key.empty()) continue;
      path.assign(root_).append("data/").append(tensor.storage_key);
      if (auto error = rejectAmbiguousPath(path)) return error;
      const io::ZipEntry* entry = zip_.find(path);
      if (entry != nullptr) markStorageUsed(*entry);
      if (entry == nullptr) {
        if (reported.insert(tensor.storage_key).second) {
          tensor_issues_.add({ReadIssue::Kind::kStorageMissing, "data/" + tensor.storage_key, 0,
                              "storage record data/" + tensor.storage_key + " is missing (used by " +
                                  displayPath(tensor.path) + "); torch.load fails on it",
                              tensor.path});
        }
        continue;
      }
      tensor.record = ByteRange{entry->data_offset, entry->compressed_size};
      noteViewOutsideStorage(tensor);
      if (entry->uncompressed_size != tensor.storage_nbytes && reported.insert(tensor.storage_key).second) {
        tensor_issues_.add({entry->uncompressed_size < tensor.storage_nbytes ? ReadIssue::Kind::kStorageTooShort
                                                                             : ReadIssue::Kind::kStorageTooLong,
                            "data/" + tensor.storage_key, entry->local_header_offset,
                            "storage record data/" + tensor.storage_key + " holds " +
                                std::to_string(entry->uncompressed_size) + " bytes, its persistent id says " +
                                std::to_string(tensor.storage_nbytes),
                            tensor.path});
      }
    }
    return std::nullopt;
  }

  // Used records are flagged by their place in the directory: cheaper than hashing 100k
  // entry addresses.
  void markStorageUsed(const io::ZipEntry& entry) {
    if (storage_used_.empty()) storage_used_.assign(zip_.entries().size(), false);
    storage_used_[directoryIndex(entry)] = true;
  }
  bool storageUsed(const io::ZipEntry& entry) const {
    return !storage_used_.empty() && storage_used_[directoryIndex(entry)];
  }
  std::size_t directoryIndex(const io::ZipEntry& entry) const {
    return static_cast<std::size_t>(&entry - zip_.entries().data());
  }

  void noteViewOutsideStorage(const TensorInfo& tensor) {
    if (auto issue = viewOutsideStorage(tensor, "data/" + tensor.storage_key)) tensor_issues_.add(std::move(*issue));
  }

  // Storage bytes no tensor points at: tensors inside objects ckptlint does not take apart
  // (sparse tensors, unknown classes' arguments), or records smuggled into the archive.
  void noteUnusedStorages() {
    std::vector<std::string> unused;
    for (const io::ZipEntry& entry : zip_.entries()) {
      if (!inStorageFolder(entry)) continue;
      if (!storageUsed(entry)) unused.push_back(entry.name.substr(root_.size()));
    }
    if (unused.empty()) return;
    std::string note = std::to_string(unused.size()) + " storage record" + (unused.size() > 1 ? "s are" : " is") +
                       " used by no tensor found: ";
    for (std::size_t i = 0; i < unused.size() && i < 5; ++i) note += (i > 0 ? ", " : "") + unused[i];
    if (unused.size() > 5) note += ", ...";
    addIssue(ReadIssue::Kind::kUnusedStorage, {}, 0, std::move(note));
  }

  // Every record but data.pkl and the storages tensors use may hold a pickle another tool
  // loads: *.pkl records (TorchScript's constants.pkl, smuggled ones) and anything that starts
  // like a pickle.
  // Entries that share bytes with one already read (aliases: already an archive issue) are
  // not read again, so a small file of many aliases costs one read.
  std::optional<Error> scanOtherPickles() {
    const io::ZipEntry* data_pkl = record("data.pkl");
    if (data_pkl != nullptr) scanned_data_.insert(data_pkl->data_offset);
    for (const io::ZipEntry& entry : zip_.entries()) {
      if (&entry == data_pkl || storageUsed(entry)) continue;
      if (!scanned_data_.insert(entry.data_offset).second) continue;
      bool crc_checked = false;
      if (auto error = scanPickleRecord(zip_, entry, displayName(entry), checkpoint_, budget_, &crc_checked)) {
        return error;
      }
      if (crc_checked) crc_checked_data_.insert(entry.data_offset);
    }
    return std::nullopt;
  }

  // CRCs of the small records torch reads (data.pkl, version, byteorder) are checked as they
  // are read; here those of the other records, and with --check-crc also the storages.
  void checkOtherCrcs() {
    constexpr uint64_t kSmallRecord = uint64_t{64} << 20;
    for (const io::ZipEntry& entry : zip_.entries()) {
      if (crc_checked_data_.count(entry.data_offset) != 0) continue;  // checked, or an alias of one
      const bool storage = storageUsed(entry) || inStorageFolder(entry);
      if (!options_.check_crc && (storage || entry.uncompressed_size > kSmallRecord)) continue;
      if (!entry.readable(zip_.limits())) continue;  // already an archive issue
      crc_checked_data_.insert(entry.data_offset);
      if (!budget_.take(entry)) {
        addIssue(ReadIssue::Kind::kCrcMismatch, entry.name, entry.local_header_offset,
                 "record '" + entry.name + "' was not read to check its CRC: the file's records inflate to more " +
                     "than ckptlint reads for one file");
        continue;
      }
      Result<io::RecordBytes> bytes = zip_.read(entry);
      if (!bytes) {
        addIssue(ReadIssue::Kind::kCrcMismatch, entry.name, entry.local_header_offset,
                 "record '" + entry.name + "' could not be read to check its CRC: " + bytes.error().message);
        continue;
      }
      checkCrc(entry, bytes->bytes());
    }
  }

  // Under `data/`, where torch.save puts storages (whether or not a tensor found uses them).
  bool inStorageFolder(const io::ZipEntry& entry) const { return startsWith(entry.name, root_ + "data/"); }

  std::string displayName(const io::ZipEntry& entry) const {
    return entry.name.compare(0, root_.size(), root_) == 0 ? entry.name.substr(root_.size()) : entry.name;
  }

  void listRecords() {
    for (const io::ZipEntry& entry : zip_.entries()) {
      ArchiveRecord out;
      out.name = displayName(entry);
      out.data_offset = entry.data_offset;
      out.stored_size = entry.compressed_size;
      out.size = entry.uncompressed_size;
      out.crc32 = entry.crc32;
      out.method = entry.method;
      checkpoint_.records.push_back(std::move(out));
    }
  }

  const io::ZipEntry* record(const std::string& name) const { return zip_.find(root_ + name); }

  // TorchScript class sources (code/...), read whole (they are small, often deflated) within
  // the inflate budget, their CRC checked.
  ArchiveTextReader readText() {
    return [this](const std::string& name) -> Result<std::optional<std::string>> {
      if (auto error = rejectAmbiguous(name)) return *error;
      const io::ZipEntry* entry = record(name);
      if (entry == nullptr) return std::optional<std::string>();
      if (!budget_.take(*entry)) return makeError("the file's records inflate to more than ckptlint reads for one file");
      Result<io::RecordBytes> bytes = zip_.read(*entry);
      if (!bytes) return bytes.error();
      checkCrc(*entry, bytes->bytes());
      return std::optional<std::string>(std::string(bytes->bytes()));
    };
  }

  io::ZipArchive zip_;
  TorchZipOptions options_;
  std::string root_;
  Checkpoint checkpoint_;
  bool torchscript_ = false;  // a torch.jit.save archive: data.pkl holds a module tree
  BoundedIssues tensor_issues_{100, "tensors and their storages"};
  std::vector<bool> storage_used_;  // by directory index: whether some tensor's storage is that record
  std::unordered_set<uint64_t> crc_checked_data_;  // data offsets of records whose CRC was checked
  std::unordered_set<uint64_t> scanned_data_;  // data offsets of records already scanned
  InflateBudget budget_;
};

}  // namespace

Result<TorchZipContents> readTorchZip(std::string_view file, const std::string& path,
                                      const io::HeaderReader& header_reader, const TorchZipOptions& options) {
  Result<io::ZipArchive> zip = io::ZipArchive::read(file, {}, header_reader);
  if (!zip) return makeError("not a readable zip archive: " + zip.error().message);
  return TorchZipReader(std::move(zip).value(), file, path, options).read();
}

}  // namespace ckptlint::formats
