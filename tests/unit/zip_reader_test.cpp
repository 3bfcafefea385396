#include "linter/io/zip_reader.h"

#include <gtest/gtest.h>

#include <cctype>
#include <vector>

#include "tests/unit/zip_builder.h"

namespace ckptlint::io {
namespace {

using testing::buildZip;
using testing::ZipBuildEntry;
using testing::ZipBuildOptions;

std::string readRecord(const ZipArchive& zip, const std::string& name) {
  const ZipEntry* entry = zip.find(name);
  EXPECT_NE(entry, nullptr) << name;
  if (entry == nullptr) return {};
  Result<RecordBytes> bytes = zip.read(*entry);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().message);
  return bytes.ok() ? std::string(bytes->bytes()) : std::string();
}

TEST(ZipReader, ReadsPyTorchLayoutWithAlignedData) {
  const std::string file = buildZip({{"root/data.pkl", "pickle bytes"}, {"root/data/0", std::string(100, 'x')},
                                     {"root/version", "3\n"}});
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  ASSERT_EQ(zip->entries().size(), 3u);
  for (const ZipEntry& entry : zip->entries()) {
    EXPECT_EQ(entry.data_offset % 64, 0u) << entry.name;  // offset honours the FB padding field
  }
  EXPECT_EQ(readRecord(*zip, "root/data.pkl"), "pickle bytes");
  EXPECT_EQ(readRecord(*zip, "root/data/0"), std::string(100, 'x'));
  EXPECT_EQ(zip->find("root/data/0")->uncompressed_size, 100u);  // from the central directory
  EXPECT_TRUE(zip->issues().empty());
  EXPECT_FALSE(zip->usesZip64());
}

TEST(ZipReader, StoredRecordsAreViewsIntoTheFile) {
  const std::string file = buildZip({{"a/x", "hello"}});
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok());
  Result<RecordBytes> bytes = zip->read(zip->entries()[0]);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->bytes().data(), file.data() + zip->entries()[0].data_offset);
}

TEST(ZipReader, InflatesDeflatedRecords) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "def forward(self, x):\n";
  const std::string file = buildZip({{"a/code.py", text, true}, {"a/data.pkl", "p"}});
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_EQ(zip->find("a/code.py")->method, 8);
  EXPECT_LT(zip->find("a/code.py")->compressed_size, text.size());
  EXPECT_EQ(readRecord(*zip, "a/code.py"), text);
}

TEST(ZipReader, ReadsAPrefixWithoutInflatingTheRest) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "def forward(self, x):\n";
  const std::string file = buildZip({{"a/code.py", text, true}, {"a/data.pkl", "pickle"}});
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  Result<std::string> deflated = zip->readPrefix(*zip->find("a/code.py"), 7);
  ASSERT_TRUE(deflated.ok()) << deflated.error().message;
  EXPECT_EQ(*deflated, "def for");
  Result<std::string> stored = zip->readPrefix(*zip->find("a/data.pkl"), 100);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "pickle");  // shorter than asked: the whole record
}

TEST(ZipReader, ChoosesTheLastEndRecordLikeMinizAndReportsAnAmbiguousOne) {
  const std::string plain = buildZip({{"a/data.pkl", "p"}});
  // An overlong comment length: miniz (torch) still takes this record; so do we, with an issue.
  std::string overlong = plain;
  overlong[overlong.size() - 2] = '\x10';
  Result<ZipArchive> zip = ZipArchive::read(overlong);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  ASSERT_NE(zip->find("a/data.pkl"), nullptr);
  bool ambiguous = false;
  for (const ReadIssue& issue : zip->issues()) ambiguous |= issue.kind == ReadIssue::Kind::kAmbiguousEndRecord;
  EXPECT_TRUE(ambiguous);

  Result<ZipArchive> clean = ZipArchive::read(plain);
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->issues().empty());
}

TEST(ZipReader, ReadsZip64RecordsAndExtraFields) {
  ZipBuildOptions options;
  options.zip64 = true;
  const std::string file = buildZip({{"r/data.pkl", "abc"}, {"r/data/0", "0123456789"}}, options);
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_TRUE(zip->usesZip64());
  EXPECT_EQ(zip->find("r/data/0")->uncompressed_size, 10u);
  EXPECT_EQ(readRecord(*zip, "r/data/0"), "0123456789");
}

TEST(ZipReader, ReadsSizesFromLocalHeadersWhenNoDescriptor) {
  ZipBuildOptions options;
  options.sizes_in_descriptor = false;
  options.alignment = 0;
  const std::string file = buildZip({{"r/a", "xyz"}}, options);
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_EQ(readRecord(*zip, "r/a"), "xyz");
  EXPECT_TRUE(zip->issues().empty());
}

TEST(ZipReader, NotesLocalSizesThatDifferFromTheCentralDirectory) {
  ZipBuildOptions options;
  options.sizes_in_descriptor = false;
  std::string file = buildZip({{"r/a", "xyz"}}, options);
  file[14] = static_cast<char>(file[14] ^ 0x01);  // the local header's CRC-32
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok());
  ASSERT_EQ(zip->issues().size(), 1u);
  EXPECT_NE(zip->issues()[0].message.find("local header sizes or CRC differ"), std::string::npos);
}

TEST(ZipReader, NotesLocalNameThatDiffersFromCentralName) {
  ZipBuildEntry entry{"r/data.pkl", "x"};
  entry.local_name = "r/evil.pkl";
  const std::string zip_file = buildZip({entry});  // the archive views these bytes
  Result<ZipArchive> zip = ZipArchive::read(zip_file);
  ASSERT_TRUE(zip.ok());
  ASSERT_EQ(zip->issues().size(), 1u);
  EXPECT_NE(zip->issues()[0].message.find("local header names it 'r/evil.pkl'"), std::string::npos);
}

TEST(ZipReader, NotesEntriesSharingOneLocalHeader) {
  std::string file = buildZip({{"r/a", "1"}, {"r/b", "2"}});
  // Point the second central entry at the first local header.
  const std::size_t second = file.find(std::string("PK\x01\x02", 4), file.find(std::string("PK\x01\x02", 4)) + 4);
  for (int i = 0; i < 4; ++i) file[second + 42 + i] = 0;
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_EQ(zip->entries()[0].data_offset, zip->entries()[1].data_offset);
  bool shared = false;
  for (const ReadIssue& issue : zip->issues()) {
    shared = shared || issue.kind == ReadIssue::Kind::kSharedLocalHeader;
  }
  EXPECT_TRUE(shared);
}

TEST(ZipReader, NotesDuplicateNamesAndReportsThemAmbiguous) {
  const std::string zip_file = buildZip({{"r/a", "first"}, {"r/a", "second"}});  // the archive views these bytes
  Result<ZipArchive> zip = ZipArchive::read(zip_file);
  ASSERT_TRUE(zip.ok());
  EXPECT_EQ(readRecord(*zip, "r/a"), "first");
  ASSERT_EQ(zip->issues().size(), 1u);
  EXPECT_NE(zip->issues()[0].message.find("more than once"), std::string::npos);
  EXPECT_EQ(zip->ambiguousNames(), std::vector<std::string>{"r/a"});
}

TEST(ZipReader, NamesCompareCaseInsensitivelyLikeMiniz) {
  const std::string zip_file = buildZip({{"r/DATA.PKL", "x"}});  // the archive views these bytes
  Result<ZipArchive> zip = ZipArchive::read(zip_file);
  ASSERT_TRUE(zip.ok());
  EXPECT_EQ(readRecord(*zip, "r/data.pkl"), "x");
  const std::string twins_file = buildZip({{"r/data.pkl", "good"}, {"r/Data.pkl", "evil"}});  // the archive views these bytes
  Result<ZipArchive> twins = ZipArchive::read(twins_file);
  ASSERT_TRUE(twins.ok());
  EXPECT_EQ(twins->ambiguousNames(), std::vector<std::string>{"r/data.pkl"});
  EXPECT_NE(twins->issues()[0].message.find("differ only in case"), std::string::npos);
}

// The index hashes names folded eight bytes at a time: a letter at any place of a word must
// fold (or its record is not found); names that differ in a byte that is not an ASCII letter
// ('@' and '`', 0xC1 and 'A') stay different.
TEST(ZipReader, FoldsOnlyAsciiLettersAtEveryPosition) {
  std::string all_bytes;
  for (int byte = 1; byte < 256; ++byte) all_bytes += static_cast<char>(byte);
  std::string lowered = all_bytes;
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (std::size_t shift = 0; shift < 8; ++shift) {  // every byte at every place in a word
    const std::string name = "r/" + std::string(shift, 'x') + all_bytes;
    const std::string zip_file = buildZip({{name, "x"}});  // the archive views these bytes
    Result<ZipArchive> zip = ZipArchive::read(zip_file);
    ASSERT_TRUE(zip.ok()) << zip.error().message;
    EXPECT_NE(zip->find("r/" + std::string(shift, 'X') + lowered), nullptr) << shift;
    for (std::size_t i = 0; i < all_bytes.size(); ++i) {
      const char c = all_bytes[i];
      if (std::isalpha(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 128) continue;
      for (char other : {static_cast<char>(c ^ 0x20), static_cast<char>(c ^ 0x80)}) {
        std::string changed = name;
        changed[2 + shift + i] = other;
        EXPECT_EQ(zip->find(changed), nullptr) << "byte " << int(static_cast<unsigned char>(c)) << " shift " << shift;
      }
    }
    EXPECT_EQ(zip->find(name.substr(0, name.size() - 1)), nullptr);  // a prefix is another name
  }
}

TEST(ZipReader, FindsEachOfManyRecordsAndReportsOnlyTrueDuplicates) {
  std::vector<ZipBuildEntry> entries;
  for (int i = 0; i < 3000; ++i) entries.push_back({"archive/data/" + std::to_string(i), "x"});
  entries.push_back({"archive/DATA/17", "y"});
  const std::string zip_file = buildZip(entries);  // the archive views these bytes
  Result<ZipArchive> zip = ZipArchive::read(zip_file);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  for (int i = 0; i < 3000; ++i) {
    const ZipEntry* entry = zip->find("Archive/Data/" + std::to_string(i));
    ASSERT_NE(entry, nullptr) << i;
    EXPECT_EQ(entry, &zip->entries()[i]);  // the first of equal names
  }
  EXPECT_EQ(zip->find("archive/data/3000"), nullptr);
  EXPECT_EQ(zip->ambiguousNames(), std::vector<std::string>{"archive/data/17"});
  EXPECT_TRUE(zip->isAmbiguous("ARCHIVE/data/17"));
  EXPECT_FALSE(zip->isAmbiguous("archive/data/18"));
  ASSERT_EQ(zip->issues().size(), 1u);
  EXPECT_NE(zip->issues()[0].message.find("differ only in case"), std::string::npos);
}

TEST(ZipReader, RejectsDeclaredSizesBeyondDeflatesRatio) {
  std::string file = buildZip({{"r/a", std::string(100, 'a'), true}});
  const std::size_t directory = file.find(std::string("PK\x01\x02", 4));
  for (int i = 0; i < 4; ++i) file[directory + 24 + i] = static_cast<char>(0xF0 | i);  // uncompressed size
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok());
  Result<RecordBytes> bytes = zip->read(zip->entries()[0]);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message.find("maximum ratio"), std::string::npos) << bytes.error().message;
}

TEST(ZipReader, RejectsFilesWithoutEndRecord) {
  EXPECT_FALSE(ZipArchive::read("").ok());
  EXPECT_FALSE(ZipArchive::read("PK\x03\x04 not really a zip at all, just text").ok());
  std::string file = buildZip({{"r/a", "x"}});
  file[file.size() - 22] = 'Q';  // break the EOCD signature
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.error().message.find("end-of-central-directory"), std::string::npos);
}

TEST(ZipReader, RejectsCentralDirectoryOutsideFile) {
  std::string file = buildZip({{"r/a", "x"}});
  // Directory offset field of the EOCD (last 22 bytes: offset at +16) pointing past the end.
  const std::size_t field = file.size() - 22 + 16;
  file[field + 3] = 0x7F;
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.error().message.find("outside the file"), std::string::npos) << zip.error().message;
}

TEST(ZipReader, RejectsLocalHeaderOffsetOutsideFile) {
  std::string file = buildZip({{"r/a", "x"}});
  const std::size_t directory = file.find(std::string("PK\x01\x02", 4));
  file[directory + 42 + 3] = 0x40;  // local header offset, high byte
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.error().message.find("local header offset"), std::string::npos) << zip.error().message;
}

TEST(ZipReader, RejectsRecordDataRunningPastTheEnd) {
  std::string file = buildZip({{"r/a", std::string(50, 'x')}});
  const std::size_t directory = file.find(std::string("PK\x01\x02", 4));
  file[directory + 20 + 2] = 0x10;  // compressed size becomes ~1 MB
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.error().message.find("past the end"), std::string::npos) << zip.error().message;
}

TEST(ZipReader, RejectsMoreEntriesThanTheDirectoryCanHold) {
  std::string file = buildZip({{"r/a", "x"}});
  const std::size_t count = file.size() - 22 + 10;
  file[count] = static_cast<char>(0xFF);
  file[count + 1] = static_cast<char>(0xFF);
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.error().message.find("cannot hold"), std::string::npos) << zip.error().message;
}

TEST(ZipReader, EnforcesEntryLimit) {
  ZipLimits limits;
  limits.max_entries = 2;
  const std::string zip_file = buildZip({{"r/a", "1"}, {"r/b", "2"}, {"r/c", "3"}});  // the archive views these bytes
  Result<ZipArchive> zip = ZipArchive::read(zip_file, limits);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.error().message.find("limit"), std::string::npos);
}

TEST(ZipReader, EveryTruncationFailsCleanly) {
  const std::string file = buildZip({{"r/data.pkl", "abcdef"}, {"r/data/0", std::string(300, 'q'), true}});
  // Every proper prefix loses the end record (no comment follows it), so none may parse.
  for (std::size_t length = 0; length < file.size(); ++length) {
    EXPECT_FALSE(ZipArchive::read(std::string_view(file).substr(0, length)).ok()) << "prefix of " << length;
  }
}

TEST(ZipReader, RejectsCorruptDeflateData) {
  std::string text(5000, 'a');
  std::string file = buildZip({{"r/a", text, true}});
  Result<ZipArchive> zip = ZipArchive::read(file);
  ASSERT_TRUE(zip.ok());
  const ZipEntry entry = zip->entries()[0];
  std::string damaged = file;
  for (uint64_t i = 0; i < entry.compressed_size; ++i) damaged[entry.data_offset + i] = static_cast<char>(0xFF);
  Result<ZipArchive> damaged_zip = ZipArchive::read(damaged);
  ASSERT_TRUE(damaged_zip.ok());
  EXPECT_FALSE(damaged_zip->read(damaged_zip->entries()[0]).ok());
}

TEST(ZipReader, RejectsInflatedSizeOverLimit) {
  ZipLimits limits;
  limits.max_inflated_size = 100;
  const std::string zip_file = buildZip({{"r/a", std::string(1000, 'a'), true}});  // the archive views these bytes
  Result<ZipArchive> zip = ZipArchive::read(zip_file, limits);
  ASSERT_TRUE(zip.ok());
  Result<RecordBytes> bytes = zip->read(zip->entries()[0]);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message.find("limit"), std::string::npos);
}

TEST(ZipReader, Crc32MatchesZlibReferenceValue) {
  EXPECT_EQ(crc32Of("123456789"), 0xCBF43926u);  // the standard CRC-32 check value
  EXPECT_EQ(crc32Of(""), 0u);
}

}  // namespace
}  // namespace ckptlint::io

namespace ckptlint::io {
namespace {

TEST(ZipReader, ReadsLocalHeadersThroughAHeaderReader) {
  const std::string file = testing::buildZip({{"r/data.pkl", "abc"}, {"r/data/0", std::string(200, 'z')}});
  int calls = 0;
  HeaderReader reader = [&](uint64_t offset, std::size_t size, std::string* out) {
    ++calls;
    if (offset + size > file.size()) return false;
    *out = file.substr(offset, size);
    return true;
  };
  Result<ZipArchive> through_reader = ZipArchive::read(file, {}, reader);
  Result<ZipArchive> through_view = ZipArchive::read(file);
  ASSERT_TRUE(through_reader.ok()) << through_reader.error().message;
  ASSERT_TRUE(through_view.ok());
  EXPECT_EQ(calls, 1);  // both headers lie in the first 64 KiB window
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(through_reader->entries()[i].data_offset, through_view->entries()[i].data_offset);
  }
  HeaderReader failing = [](uint64_t, std::size_t, std::string*) { return false; };
  EXPECT_FALSE(ZipArchive::read(file, {}, failing).ok());
}

}  // namespace
}  // namespace ckptlint::io
