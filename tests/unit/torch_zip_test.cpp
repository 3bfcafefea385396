// The torch.save zip format reader on archives assembled in memory: record layout rules and
// what PyTorch's reader would refuse.
#include "linter/formats/torch_zip.h"

#include <gtest/gtest.h>

#include "linter/formats/file_kind.h"
#include "tests/unit/pickle_builder.h"
#include "tests/unit/zip_builder.h"

namespace ckptlint::formats {
namespace {

using testing::buildZip;
using testing::PickleBuilder;
using testing::ZipBuildEntry;

// {"w": a 1-d tensor of `size` elements on storage "0" of `numel` elements of `storage_class`}
std::string tensorPickle(int numel, int size, const std::string& storage_module = "torch",
                         const std::string& storage_class = "FloatStorage") {
  PickleBuilder b;
  b.emptyDict().unicode("w").global("torch._utils", "_rebuild_tensor_v2").mark();
  b.mark().unicode("storage").global(storage_module, storage_class).unicode("0").unicode("cpu").binint(numel).tuple();
  b.binpersid().binint(0).mark().binint(size).tuple().mark().binint(1).tuple().newFalse();
  b.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce().setitem().stop();
  return b.bytes();
}

std::string oneTensorPickle(int numel = 3) { return tensorPickle(numel, numel); }

std::vector<ZipBuildEntry> checkpointEntries(const std::string& root = "ckpt") {
  return {{root + "/data.pkl", oneTensorPickle()},
          {root + "/byteorder", "little"},
          {root + "/data/0", std::string(12, '\0')},
          {root + "/version", "3\n"}};
}

Result<TorchZipContents> readBytes(const std::string& bytes) { return readTorchZip(bytes, "test.pt"); }

TEST(TorchZip, ReadsAMinimalCheckpoint) {
  const std::string file = buildZip(checkpointEntries());
  Result<TorchZipContents> contents = readBytes(file);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  const Checkpoint& checkpoint = contents->checkpoint;
  EXPECT_EQ(checkpoint.archive_root, "ckpt");
  EXPECT_EQ(checkpoint.byteorder, "little");
  EXPECT_EQ(checkpoint.pickle_protocol, 2);
  ASSERT_EQ(checkpoint.tensors.size(), 1u);
  ASSERT_TRUE(checkpoint.tensors[0].record.has_value());
  EXPECT_EQ(checkpoint.tensors[0].record->size, 12u);
  EXPECT_EQ(checkpoint.tensors[0].record->offset % 64, 0u);
  EXPECT_EQ(checkpoint.records.size(), 4u);
  EXPECT_EQ(checkpoint.records[0].name, "data.pkl");
  EXPECT_EQ(checkpoint.distinctGlobals(),
            (std::vector<std::string>{"torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "collections.OrderedDict"}));
  EXPECT_TRUE(checkpoint.issues.empty());
}

TEST(TorchZip, RootNameIsWhateverTheFirstRecordSays) {
  Result<TorchZipContents> contents = readBytes(buildZip(checkpointEntries("zzz")));
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(contents->checkpoint.archive_root, "zzz");
}

TEST(TorchZip, RecordsOutsideAFolderAreRefused) {
  Result<TorchZipContents> contents = readBytes(buildZip({{"data.pkl", oneTensorPickle()}, {"version", "3\n"}}));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("not inside a folder"), std::string::npos);
}

TEST(TorchZip, RecordsOutsideTheRootAreNoted) {
  auto entries = checkpointEntries();
  entries.push_back({"other/payload.bin", "x"});
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_TRUE(contents.ok());
  ASSERT_FALSE(contents->checkpoint.issues.empty());
  EXPECT_NE(contents->checkpoint.issues[0].message.find("outside the root folder"), std::string::npos);
}

TEST(TorchZip, VersionRecordIsRequiredAndBounded) {
  auto entries = checkpointEntries();
  entries.pop_back();
  Result<TorchZipContents> missing = readBytes(buildZip(entries));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no 'version' record"), std::string::npos);
  entries.push_back({"ckpt/version", "11\n"});
  Result<TorchZipContents> too_new = readBytes(buildZip(entries));
  ASSERT_FALSE(too_new.ok());
  EXPECT_NE(too_new.error().message.find("version 11"), std::string::npos);
  entries.back().data = "three";
  EXPECT_FALSE(readBytes(buildZip(entries)).ok());
}

TEST(TorchZip, DotDataVersionWinsAndIsParsedLikeStoull) {
  auto entries = checkpointEntries();
  entries.push_back({"ckpt/.data/version", "99\n"});
  Result<TorchZipContents> dot_data = readBytes(buildZip(entries));
  ASSERT_FALSE(dot_data.ok());
  EXPECT_NE(dot_data.error().message.find("version 99"), std::string::npos);
  entries.pop_back();
  entries.back().data = " 3abc";  // stoull reads the leading digits
  EXPECT_TRUE(readBytes(buildZip(entries)).ok());
}

TEST(TorchZip, AmbiguousRecordNamesAreRefused) {
  auto entries = checkpointEntries();
  entries.push_back({"ckpt/Data.pkl", oneTensorPickle(2)});
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("case-insensitively"), std::string::npos);
}

TEST(TorchZip, AmbiguityOnlyMattersForRecordsTorchReads) {
  auto junk = checkpointEntries();
  junk.push_back({"ckpt/junk", "a"});
  junk.push_back({"ckpt/JUNK", "b"});
  Result<TorchZipContents> fine = readBytes(buildZip(junk));
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_FALSE(fine->checkpoint.issues.empty());  // still noted
  auto storage = checkpointEntries();
  storage.push_back({"ckpt/DATA/0", std::string(12, '\1')});
  Result<TorchZipContents> refused = readBytes(buildZip(storage));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("data/0"), std::string::npos) << refused.error().message;
}

TEST(TorchZip, StorageRecordsNoTensorUsesAreNoted) {
  auto entries = checkpointEntries();
  entries.push_back({"ckpt/data/7", "hidden"});
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_TRUE(contents.ok());
  ASSERT_EQ(contents->checkpoint.issues.size(), 1u);
  EXPECT_NE(contents->checkpoint.issues[0].message.find("1 storage record is used by no tensor found: data/7"), std::string::npos)
      << contents->checkpoint.issues[0].message;
}

TEST(TorchZip, GlobalsAreListedOnceEach) {
  auto entries = checkpointEntries();
  PickleBuilder b;
  b.mark().global("collections", "OrderedDict").global("collections", "OrderedDict").global("torch", "Size");
  b.tuple().stop();
  entries[0].data = b.bytes();
  entries.erase(entries.begin() + 2);
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->checkpoint.globals.size(), 3u);  // every reference, with its offset
  EXPECT_EQ(contents->checkpoint.distinctGlobals(), (std::vector<std::string>{"collections.OrderedDict", "torch.Size"}));
}

// torch 2.1+ refuses a byteorder other than little/big ("Unknown endianness type"); 1.13 has
// no byteorder record and ignores one. ckptlint follows the versions that read it.
TEST(TorchZip, ByteOrderMustBeLittleOrBig) {
  auto entries = checkpointEntries();
  entries[1].data = "middle";
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("byteorder"), std::string::npos);
  entries[1].data = "big";
  Result<TorchZipContents> big = readBytes(buildZip(entries));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->checkpoint.byteorder, "big");
}

TEST(TorchZip, DeflatedDataPklIsRead) {
  auto entries = checkpointEntries();
  entries[0].deflate = true;
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->checkpoint.tensors.size(), 1u);
}

TEST(TorchZip, MissingOrShortStorageRecordsAreNoted) {
  auto entries = checkpointEntries();
  entries[2].data = std::string(8, '\0');
  Result<TorchZipContents> short_record = readBytes(buildZip(entries));
  ASSERT_TRUE(short_record.ok());
  ASSERT_EQ(short_record->checkpoint.issues.size(), 1u);
  EXPECT_NE(short_record->checkpoint.issues[0].message.find("holds 8 bytes, its persistent id says 12"), std::string::npos);
  entries.erase(entries.begin() + 2);
  Result<TorchZipContents> missing = readBytes(buildZip(entries));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->checkpoint.tensors[0].record.has_value());
  EXPECT_NE(missing->checkpoint.issues[0].message.find("data/0 is missing"), std::string::npos);
}

TEST(TorchZip, TrailingBytesAfterStopAreNoted) {
  auto entries = checkpointEntries();
  entries[0].data += "junk";
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_TRUE(contents.ok());
  EXPECT_NE(contents->checkpoint.issues[0].message.find("4 bytes after the pickle"), std::string::npos);
}

TEST(TorchZip, OtherZipKindsAreNamed) {
  auto torchscript = checkpointEntries();
  torchscript.push_back({"ckpt/constants.pkl", "\x80\x02).", false});
  Result<TorchZipContents> contents = readBytes(buildZip(torchscript));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("TorchScript"), std::string::npos);
  EXPECT_NE(readBytes(buildZip({{"r/version", "3\n"}})).error().message.find("no data.pkl"), std::string::npos);
  EXPECT_NE(readBytes("PK\x05\x06" + std::string(18, '\0')).error().message.find("no records"), std::string::npos);
}

TEST(TorchZip, PickleErrorsNameTheRecord) {
  auto entries = checkpointEntries();
  entries[0].data = entries[0].data.substr(0, 20);
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.error().message.rfind("data.pkl: pickle: offset", 0), 0u) << contents.error().message;
}

bool hasNote(const Checkpoint& checkpoint, const std::string& text) {
  for (const ReadIssue& issue : checkpoint.issues) {
    if (issue.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(TorchZip, NotesWhatTorchLoadWouldRefuse) {
  // A 3-element view of a 2-element storage.
  auto view = checkpointEntries();
  view[0].data = tensorPickle(2, 3);
  view[2].data = std::string(8, '\0');
  Result<TorchZipContents> past_end = readBytes(buildZip(view));
  ASSERT_TRUE(past_end.ok()) << past_end.error().message;
  EXPECT_TRUE(hasNote(past_end->checkpoint, "w: the view reaches 12 bytes into a storage of 8"));

  // A Python 2 string that is not UTF-8, and a STACK_GLOBAL of non-strings.
  auto strings = checkpointEntries();
  PickleBuilder p;
  p.mark().op('U').le(1, 1).raw("\xff").binint1(1).binint1(2).op(static_cast<unsigned char>(0x93)).tuple().stop();
  strings[0].data = p.bytes();
  strings.erase(strings.begin() + 2);  // no tensors: no storage record
  Result<TorchZipContents> odd = readBytes(buildZip(strings));
  ASSERT_TRUE(odd.ok()) << odd.error().message;
  EXPECT_TRUE(hasNote(odd->checkpoint, "torch.load needs encoding='latin1'"));
  EXPECT_TRUE(hasNote(odd->checkpoint, "STACK_GLOBAL whose module or name is not a string"));
  EXPECT_FALSE(odd->checkpoint.globals[0].resolved);
}

TEST(TorchZip, TorchPackageIsNamed) {
  auto entries = checkpointEntries();
  entries.push_back({"ckpt/.data/extern_modules", ""});
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("torch.package"), std::string::npos);
}

TEST(TorchZip, UntypedStorageInV2IsReadAsBytes) {
  auto entries = checkpointEntries();
  entries[0].data = tensorPickle(12, 12, "torch.storage", "UntypedStorage");
  Result<TorchZipContents> contents = readBytes(buildZip(entries));
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->checkpoint.tensors[0].dtype, DType::kUInt8);
  EXPECT_EQ(contents->checkpoint.tensors[0].storage_nbytes, 12u);
}

TEST(FileKind, RecognisesContainersByTheirFirstBytes) {
  EXPECT_EQ(detectFileKind(""), FileKind::kEmpty);
  EXPECT_EQ(detectFileKind(buildZip(checkpointEntries())), FileKind::kZip);
  EXPECT_EQ(detectFileKind(std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e", 15)),
            FileKind::kLegacyPickle);
  EXPECT_EQ(detectFileKind("PYTORCH1...."), FileKind::kPreviewZip);
  std::string safetensors(8, '\0');
  safetensors[0] = 2;
  safetensors += "{}";
  EXPECT_EQ(detectFileKind(safetensors), FileKind::kSafetensors);
  EXPECT_EQ(detectFileKind(std::string("\x80\x04K\x01.", 5)), FileKind::kPlainPickle);
  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  EXPECT_EQ(detectFileKind(tar), FileKind::kLegacyTar);
  EXPECT_EQ(detectFileKind("hello world"), FileKind::kUnknown);
}

}  // namespace
}  // namespace ckptlint::formats
