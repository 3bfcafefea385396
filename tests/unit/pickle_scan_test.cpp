// Every pickle of a checkpoint is scanned, and archive tricks become read issues: a second
// pickle record, pickles after data.pkl's STOP, CRC mismatches, flags, overlaps.
#include <gtest/gtest.h>

#include "linter/formats/torch_zip.h"
#include "tests/unit/pickle_builder.h"
#include "tests/unit/zip_builder.h"

namespace ckptlint::formats {
namespace {

using testing::buildZip;
using testing::PickleBuilder;
using testing::ZipBuildEntry;

std::string payloadPickle(const std::string& module, const std::string& name) {
  PickleBuilder b;
  b.global(module, name).mark().unicode("id").tuple().reduce().stop();
  return b.bytes();
}

std::string dictPickle() {
  PickleBuilder b;
  b.emptyDict().unicode("cpu").binint1(1).setitem().stop();
  return b.bytes();
}

std::vector<ZipBuildEntry> entries(std::string data_pkl = dictPickle()) {
  return {{"ckpt/data.pkl", std::move(data_pkl)}, {"ckpt/version", "3\n"}};
}

Checkpoint read(const std::string& file) {
  Result<TorchZipContents> contents = readTorchZip(file, "test.pt");
  EXPECT_TRUE(contents.ok()) << contents.error().message;
  return contents.ok() ? contents->checkpoint : Checkpoint{};
}

bool hasGlobal(const Checkpoint& checkpoint, const std::string& dotted, const std::string& record) {
  for (const GlobalReference& global : checkpoint.globals) {
    if (global.dotted() == dotted && global.record == record) return true;
  }
  return false;
}

bool hasIssue(const Checkpoint& checkpoint, ReadIssue::Kind kind) {
  for (const ReadIssue& issue : checkpoint.issues) {
    if (issue.kind == kind) return true;
  }
  return false;
}

// Sets the general-purpose flags of `name`'s central-directory entry.
void setCentralFlags(std::string& file, const std::string& name, uint16_t flags) {
  const std::string signature("PK\x01\x02", 4);
  for (std::size_t at = file.find(signature); at != std::string::npos; at = file.find(signature, at + 4)) {
    if (file.compare(at + 46, name.size(), name) != 0) continue;
    file[at + 8] = static_cast<char>(flags & 0xFF);
    file[at + 9] = static_cast<char>(flags >> 8);
    return;
  }
  FAIL() << "no central entry " << name;
}

TEST(PickleScan, ASecondPickleRecordIsScanned) {
  auto zip = entries();
  zip.push_back({"ckpt/extra/payload.pkl", payloadPickle("posix", "system")});
  const Checkpoint checkpoint = read(buildZip(zip));
  EXPECT_TRUE(hasGlobal(checkpoint, "posix.system", "extra/payload.pkl"));
}

TEST(PickleScan, APickleUnderAnotherNameIsSniffed) {
  auto zip = entries();
  zip.push_back({"ckpt/notes.txt", payloadPickle("builtins", "exec"), true});
  const Checkpoint checkpoint = read(buildZip(zip));
  EXPECT_TRUE(hasGlobal(checkpoint, "builtins.exec", "notes.txt"));
}

TEST(PickleScan, AnUnreadablePickleRecordFailsTheRead) {
  auto zip = entries();
  zip.push_back({"ckpt/extra.pkl", "\x80\x02}q"});
  Result<TorchZipContents> contents = readTorchZip(buildZip(zip), "test.pt");
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("extra.pkl"), std::string::npos) << contents.error().message;
}

TEST(PickleScan, PicklesAfterStopAreScanned) {
  const Checkpoint checkpoint = read(buildZip(entries(dictPickle() + payloadPickle("subprocess", "Popen"))));
  EXPECT_TRUE(hasIssue(checkpoint, ReadIssue::Kind::kDataAfterStop));
  EXPECT_TRUE(hasGlobal(checkpoint, "subprocess.Popen", "data.pkl"));
  EXPECT_FALSE(hasIssue(checkpoint, ReadIssue::Kind::kUnreadablePickle));
}

TEST(PickleScan, UnreadableBytesAfterStopAreAnIssue) {
  const Checkpoint checkpoint = read(buildZip(entries(dictPickle() + "\xff\xfe")));
  EXPECT_TRUE(hasIssue(checkpoint, ReadIssue::Kind::kUnreadablePickle));
}

TEST(PickleScan, ProtocolZeroTextGlobalsAreNamed) {
  auto zip = entries();
  zip.push_back({"ckpt/p0.pkl", "cos\nsystem\n(S'id'\ntR."});
  const Checkpoint checkpoint = read(buildZip(zip));
  EXPECT_TRUE(hasGlobal(checkpoint, "os.system", "p0.pkl"));
}

TEST(ArchiveIssues, CrcMismatchOnDataPkl) {
  std::string file = buildZip(entries());
  file[file.find("cpu")] = 'x';  // inside data.pkl: still a pickle, no longer its CRC
  EXPECT_TRUE(hasIssue(read(file), ReadIssue::Kind::kCrcMismatch));
  EXPECT_FALSE(hasIssue(read(buildZip(entries())), ReadIssue::Kind::kCrcMismatch));
}

TEST(ArchiveIssues, CrcOfStoragesOnlyWhenAsked) {
  auto zip = entries();
  zip.push_back({"ckpt/data/0", std::string(12, 'a')});
  std::string file = buildZip(zip);
  file[file.find("aaaa")] = 'b';
  EXPECT_FALSE(hasIssue(read(file), ReadIssue::Kind::kCrcMismatch));
  Result<TorchZipContents> checked = readTorchZip(file, "test.pt", {}, TorchZipOptions{true});
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(hasIssue(checked->checkpoint, ReadIssue::Kind::kCrcMismatch));
}

TEST(ArchiveIssues, EncryptedAndUnsupportedFlags) {
  auto zip = entries();
  zip.push_back({"ckpt/secret", "x"});
  std::string file = buildZip(zip);
  setCentralFlags(file, "ckpt/secret", 0x0809);
  EXPECT_TRUE(hasIssue(read(file), ReadIssue::Kind::kEncrypted));
  setCentralFlags(file, "ckpt/secret", 0x0848);
  EXPECT_TRUE(hasIssue(read(file), ReadIssue::Kind::kUnsupportedFlags));
}

TEST(ArchiveIssues, LocalAndCentralNamesDiffer) {
  auto zip = entries();
  zip[0].local_name = "ckpt/other.pkl";
  EXPECT_TRUE(hasIssue(read(buildZip(zip)), ReadIssue::Kind::kLocalNameMismatch));
}

}  // namespace
}  // namespace ckptlint::formats
