#include "linter/io/zip_writer.h"

#include <gtest/gtest.h>

#include "linter/io/zip_reader.h"
#include "tests/unit/temp_file.h"

namespace ckptlint::io {
namespace {

using testing::TempFile;

ChunkReader readerOf(const std::string& source, std::size_t* calls = nullptr) {
  return [&source, calls](uint64_t offset, std::size_t size, std::string* out) -> std::optional<Error> {
    if (calls != nullptr) ++*calls;
    *out = source.substr(offset, size);
    return std::nullopt;
  };
}

std::string pattern(std::size_t size, int seed) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 31 + seed) & 0xFF);
  return bytes;
}

// Reads the written archive back and checks every record against `expected` (name -> bytes).
void expectArchive(const std::string& file, const std::vector<std::pair<std::string, std::string>>& expected,
                   uint64_t alignment = 64) {
  Result<ZipArchive> archive = ZipArchive::read(file);
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  EXPECT_TRUE(archive->issues().empty()) << archive->issues().front().message;
  ASSERT_EQ(archive->entries().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ZipEntry& entry = archive->entries()[i];
    EXPECT_EQ(entry.name, expected[i].first);
    EXPECT_EQ(entry.method, 0);
    EXPECT_EQ(entry.flags & 0x0800, 0x0800) << "UTF-8 names";
    EXPECT_EQ(entry.data_offset % alignment, 0u) << entry.name;
    Result<RecordBytes> bytes = archive->read(entry);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->bytes(), expected[i].second) << entry.name;
    EXPECT_FALSE(checkCrc(entry, bytes->bytes()).has_value()) << entry.name;
  }
}

TEST(ZipWriter, WritesAlignedStoredRecordsThatReadBack) {
  TempFile out;
  ZipWriterOptions options;
  options.chunk_size = 7;  // several chunks per streamed record
  ZipWriter writer(out.fd(), options);
  const std::string storage = pattern(1000, 3);
  std::size_t calls = 0;
  ASSERT_FALSE(writer.addRecord("snap/data.pkl", "pickle bytes").has_value());
  ASSERT_FALSE(writer.addStreamedRecord("snap/data/0", storage.size(), readerOf(storage, &calls), crc32Of(storage)).has_value());
  ASSERT_FALSE(writer.addRecord("snap/version", "3\n").has_value());
  ASSERT_FALSE(writer.addRecord("snap/empty", "").has_value());
  Result<uint64_t> size = writer.finish();
  ASSERT_TRUE(size.ok());
  const std::string file = out.contents();
  EXPECT_EQ(*size, file.size());
  EXPECT_EQ(calls, (1000 + 6) / 7);
  expectArchive(file, {{"snap/data.pkl", "pickle bytes"}, {"snap/data/0", storage}, {"snap/version", "3\n"}, {"snap/empty", ""}});
  EXPECT_EQ(file.substr(0, 4), "PK\x03\x04");
  EXPECT_FALSE(ZipArchive::read(file)->usesZip64()) << "small archives need no ZIP64 records";
}

TEST(ZipWriter, OtherAlignmentsAreHonoured) {
  TempFile out;
  ZipWriterOptions options;
  options.alignment = 4096;
  ZipWriter writer(out.fd(), options);
  ASSERT_FALSE(writer.addRecord("a/x", "1").has_value());
  ASSERT_FALSE(writer.addRecord("a/y", "22").has_value());
  ASSERT_TRUE(writer.finish().ok());
  expectArchive(out.contents(), {{"a/x", "1"}, {"a/y", "22"}}, 4096);
}

TEST(ZipWriter, AStreamedRecordWithoutAnExpectedCrcGetsItsComputedOne) {
  TempFile out;
  ZipWriter writer(out.fd());
  const std::string storage = pattern(300, 9);
  ASSERT_FALSE(writer.addStreamedRecord("r/data/0", storage.size(), readerOf(storage)).has_value());
  ASSERT_FALSE(writer.addRecord("r/version", "3\n").has_value());
  ASSERT_TRUE(writer.finish().ok());
  expectArchive(out.contents(), {{"r/data/0", storage}, {"r/version", "3\n"}});  // local header agrees too
}

TEST(ZipWriter, BytesThatDoNotMatchTheExpectedCrcAreAnError) {
  TempFile out;
  ZipWriter writer(out.fd());
  const std::string storage = pattern(300, 9);
  std::optional<Error> error = writer.addStreamedRecord("r/data/0", storage.size(), readerOf(storage), crc32Of(storage) ^ 1);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("do not match its CRC-32"), std::string::npos) << error->message;
}

TEST(ZipWriter, Zip64FieldsWhenSizesOffsetsAndCountsPassTheLimits) {
  TempFile out;
  ZipWriterOptions options;
  options.zip64_threshold = 200;   // stands in for 4 GiB
  options.max_classic_entries = 3; // stands in for 65535
  ZipWriter writer(out.fd(), options);
  std::vector<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 5; ++i) {
    expected.emplace_back("big/data/" + std::to_string(i), pattern(150 + 40 * i, i));  // 230+ bytes: ZIP64 sizes
  }
  for (const auto& [name, bytes] : expected) {
    ASSERT_FALSE(writer.addStreamedRecord(name, bytes.size(), readerOf(bytes)).has_value());
  }
  ASSERT_TRUE(writer.finish().ok());
  const std::string file = out.contents();
  expectArchive(file, expected);
  Result<ZipArchive> archive = ZipArchive::read(file);
  ASSERT_TRUE(archive.ok());
  EXPECT_TRUE(archive->usesZip64());
  EXPECT_NE(file.find("PK\x06\x06"), std::string::npos);
  EXPECT_NE(file.find("PK\x06\x07"), std::string::npos);
  // Offsets past the threshold come from the ZIP64 extra field.
  EXPECT_GT(archive->entries().back().local_header_offset, 200u);
}

TEST(ZipWriter, ShortReadsAndMisuseAreErrors) {
  TempFile out;
  ZipWriter writer(out.fd());
  const auto short_reader = [](uint64_t, std::size_t size, std::string* bytes) -> std::optional<Error> {
    *bytes = std::string(size / 2, 'x');
    return std::nullopt;
  };
  std::optional<Error> error = writer.addStreamedRecord("a/data/0", 100, short_reader);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("could only read"), std::string::npos) << error->message;

  TempFile second;
  ZipWriter finished(second.fd());
  ASSERT_TRUE(finished.finish().ok());
  EXPECT_TRUE(finished.addRecord("a/x", "1").has_value());
  EXPECT_FALSE(finished.finish().ok());
}

TEST(ZipWriter, DeflatedRecordsAreCopiedAsTheyAre) {
  TempFile out;
  ZipWriter writer(out.fd());
  const std::string compressed("\x4b\x4c\x4a\x06\x00", 5);  // raw deflate of "abc"
  CopiedCompression deflated{8, crc32Of("abc"), 3};
  ASSERT_FALSE(writer.addStreamedRecord("a/code", compressed.size(), readerOf(compressed), std::nullopt, deflated).has_value());
  ASSERT_TRUE(writer.finish().ok());
  Result<ZipArchive> archive = ZipArchive::read(out.contents());
  ASSERT_TRUE(archive.ok());
  ASSERT_EQ(archive->entries().size(), 1u);
  EXPECT_EQ(archive->entries()[0].method, 8);
  Result<RecordBytes> bytes = archive->read(archive->entries()[0]);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(bytes->bytes(), "abc");
}

}  // namespace
}  // namespace ckptlint::io
