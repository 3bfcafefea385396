// The legacy torch.save reader on files assembled in memory: the stream of five pickles, the
// storages after them, and what torch's _legacy_load would refuse or silently accept.
#include "linter/formats/torch_legacy.h"

#include <gtest/gtest.h>

#include "linter/formats/file_kind.h"
#include "tests/unit/pickle_builder.h"

namespace ckptlint::formats {
namespace {

using testing::PickleBuilder;

const std::string kMagic("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);

std::string protocolPickle(uint16_t version = 1001) { return PickleBuilder().binint2(version).stop().bytes(); }

std::string sysInfoPickle(bool little_endian = true) {
  PickleBuilder b;
  b.emptyDict().mark().unicode("protocol_version").binint2(1001).unicode("little_endian");
  little_endian ? b.newTrue() : b.newFalse();
  return b.setitems().stop().bytes();
}

// {"w": a tensor of `size` elements at `offset` on storage `key` of `numel` FloatStorage
// elements}, with `view` as the persistent id's view_metadata (None when empty).
std::string mainPickle(int numel, int size, int offset = 0, const std::string& key = "140",
                       const std::string& view = "") {
  PickleBuilder b;
  b.emptyDict().unicode("w").global("torch._utils", "_rebuild_tensor_v2").mark();
  b.mark().unicode("storage").global("torch", "FloatStorage").unicode(key).unicode("cpu").binint(numel);
  if (view.empty()) {
    b.none();
  } else {
    b.mark().unicode(view).binint(1).binint(2).tuple();
  }
  b.tuple().binpersid().binint(offset).mark().binint(size).tuple().mark().binint(1).tuple().newFalse();
  b.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce().setitem().stop();
  return b.bytes();
}

std::string keysPickle(const std::vector<std::string>& keys) {
  PickleBuilder b;
  b.emptyList().mark();
  for (const std::string& key : keys) b.unicode(key);
  return b.appends().stop().bytes();
}

std::string storageBlock(int64_t count, std::size_t element_size = 4) {
  std::string block;
  for (int i = 0; i < 8; ++i) block += static_cast<char>((static_cast<uint64_t>(count) >> (8 * i)) & 0xFF);
  return block + std::string(static_cast<std::size_t>(count) * element_size, '\x01');
}

std::string legacyFile(const std::string& main, const std::vector<std::string>& keys, const std::string& data,
                       const std::string& sys_info = sysInfoPickle()) {
  return kMagic + protocolPickle() + sys_info + main + keysPickle(keys) + data;
}

Result<TorchLegacyContents> read(const std::string& bytes) { return readTorchLegacy(bytes, "old.pt"); }

bool hasIssue(const Checkpoint& checkpoint, ReadIssue::Kind kind) {
  for (const ReadIssue& issue : checkpoint.issues) {
    if (issue.kind == kind) return true;
  }
  return false;
}

TEST(TorchLegacy, ReadsTensorsAndWhereTheirBytesLie) {
  const std::string main = mainPickle(3, 2, 1);
  const std::string file = legacyFile(main, {"140"}, storageBlock(3));
  Result<TorchLegacyContents> contents = read(file);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  const Checkpoint& checkpoint = contents->checkpoint;
  EXPECT_EQ(checkpoint.format, "torch-legacy");
  EXPECT_EQ(checkpoint.byteorder, "little");
  ASSERT_EQ(checkpoint.tensors.size(), 1u);
  const TensorInfo& tensor = checkpoint.tensors[0];
  EXPECT_EQ(tensor.storage_key, "140");
  EXPECT_EQ(tensor.storage_offset, 1);
  EXPECT_EQ(tensor.storage_nbytes, 12u);
  ASSERT_TRUE(tensor.record.has_value());
  EXPECT_EQ(tensor.record->offset, file.size() - 12);  // just after the 8-byte count
  EXPECT_EQ(tensor.record->size, 12u);
  ASSERT_EQ(checkpoint.records.size(), 6u);  // five pickles and one storage
  EXPECT_EQ(checkpoint.records[3].name, "main pickle");
  EXPECT_EQ(checkpoint.records[5].name, "storage:140");
  EXPECT_TRUE(checkpoint.issues.empty());
  ASSERT_EQ(checkpoint.state_dicts.size(), 1u);
}

TEST(TorchLegacy, GlobalsOfEveryPickleAreScannedAtFileOffsets) {
  PickleBuilder payload;
  payload.global("os", "system").mark().unicode("id").tuple().reduce().stop();  // torch runs sys_info's pickle
  const std::string file = legacyFile(mainPickle(3, 3), {"140"}, storageBlock(3), payload.bytes());
  Result<TorchLegacyContents> contents = read(file);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  const GlobalReference& first = contents->checkpoint.globals.front();
  EXPECT_EQ(first.dotted(), "os.system");
  EXPECT_EQ(first.record, "sys_info pickle");
  EXPECT_EQ(first.offset, kMagic.size() + protocolPickle().size() + 2);  // after PROTO
}

TEST(TorchLegacy, CountThatDisagreesWithThePersistentIdIsAnError) {
  Result<TorchLegacyContents> contents = read(legacyFile(mainPickle(3, 3), {"140"}, storageBlock(4)));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("the file holds 4 elements, its persistent id declares 3"), std::string::npos)
      << contents.error().message;
  EXPECT_NE(contents.error().message.find("(used by w)"), std::string::npos) << contents.error().message;
}

TEST(TorchLegacy, TruncatedStorageIsAnError) {
  const std::string file = legacyFile(mainPickle(3, 3), {"140"}, storageBlock(3));
  for (std::size_t cut : {std::size_t{1}, std::size_t{12}, std::size_t{16}}) {
    Result<TorchLegacyContents> contents = read(file.substr(0, file.size() - cut));
    ASSERT_FALSE(contents.ok()) << cut;
    EXPECT_NE(contents.error().message.find("truncated"), std::string::npos) << contents.error().message;
  }
}

TEST(TorchLegacy, StorageMissingFromTheKeyListIsAnIssueNotAnError) {
  // torch.load gives such a storage uninitialised memory without a word
  Result<TorchLegacyContents> contents = read(legacyFile(mainPickle(3, 3), {}, ""));
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_TRUE(hasIssue(contents->checkpoint, ReadIssue::Kind::kStorageMissing));
  EXPECT_FALSE(contents->checkpoint.tensors[0].record.has_value());
}

TEST(TorchLegacy, UnknownKeyInTheKeyListIsAnError) {
  Result<TorchLegacyContents> contents = read(legacyFile(mainPickle(3, 3), {"140", "7"}, storageBlock(3)));
  ASSERT_FALSE(contents.ok());
  EXPECT_NE(contents.error().message.find("'7'"), std::string::npos) << contents.error().message;
}

TEST(TorchLegacy, DuplicateKeyAndTrailingBytesAreIssues) {
  const std::string file = legacyFile(mainPickle(3, 3), {"140", "140"}, storageBlock(3) + storageBlock(3)) + "xyz";
  Result<TorchLegacyContents> contents = read(file);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_TRUE(hasIssue(contents->checkpoint, ReadIssue::Kind::kDuplicateName));
  EXPECT_TRUE(hasIssue(contents->checkpoint, ReadIssue::Kind::kDataAfterStop));
  // torch keeps the last copy
  EXPECT_EQ(contents->checkpoint.tensors[0].record->offset, file.size() - 3 - 12);
}

TEST(TorchLegacy, ViewMetadataGivesTheTensorASliceOfItsRootStorage) {
  // view "v": elements 1..2 of the 3-element storage 140; the tensor is 1 element at offset 1 of it
  const std::string file = legacyFile(mainPickle(3, 1, 1, "140", "v"), {"140"}, storageBlock(3));
  Result<TorchLegacyContents> contents = read(file);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  const TensorInfo& tensor = contents->checkpoint.tensors[0];
  EXPECT_EQ(tensor.storage_key, "v");
  EXPECT_EQ(tensor.storage_nbytes, 8u);
  ASSERT_TRUE(tensor.record.has_value());
  EXPECT_EQ(tensor.record->offset, file.size() - 12 + 4);
  EXPECT_EQ(tensor.record->size, 8u);
  EXPECT_TRUE(contents->checkpoint.issues.empty());
}

TEST(TorchLegacy, BigEndianWriterIsANoteAndTheDataStaysLittleEndian) {
  Result<TorchLegacyContents> contents =
      read(legacyFile(mainPickle(3, 3), {"140"}, storageBlock(3), sysInfoPickle(false)));
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  EXPECT_EQ(contents->checkpoint.byteorder, "little");
  EXPECT_TRUE(hasIssue(contents->checkpoint, ReadIssue::Kind::kForeignByteOrder));
}

TEST(TorchLegacy, WrongProtocolVersionOrMagicIsAnError) {
  EXPECT_FALSE(read(kMagic + protocolPickle(1000) + sysInfoPickle() + mainPickle(3, 3)).ok());
  EXPECT_FALSE(read(PickleBuilder().binint(5).stop().bytes()).ok());
  EXPECT_FALSE(read(kMagic + protocolPickle()).ok());  // ends before sys_info
}

TEST(TorchLegacy, MagicIsRecognisedInEveryPickleProtocol) {
  EXPECT_EQ(detectFileKind(kMagic), FileKind::kLegacyPickle);
  const std::string long1("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 13);
  const std::string frame("\x95\x0d\x00\x00\x00\x00\x00\x00\x00", 9);
  EXPECT_EQ(detectFileKind(std::string("\x80\x04", 2) + frame + long1), FileKind::kLegacyPickle);
  EXPECT_EQ(detectFileKind(std::string("\x80\x03", 2) + long1), FileKind::kLegacyPickle);
  EXPECT_EQ(detectFileKind("L119547037146038801333356L\n."), FileKind::kLegacyPickle);
  EXPECT_EQ(detectFileKind(std::string("\x80\x02\x8a\x0a", 4)), FileKind::kPlainPickle);
}

}  // namespace
}  // namespace ckptlint::formats
