// rewriteCheckpoint on a torch zip assembled in memory: a 2.7-style archive round-trips through
// the writer, storages byte for byte, `.format_version` dropped with a note.
#include "linter/fix/rewrite_checkpoint.h"

#include <gtest/gtest.h>

#include "tests/unit/pickle_builder.h"
#include "tests/unit/temp_file.h"
#include "tests/unit/zip_builder.h"

namespace ckptlint::fix {
namespace {

using testing::PickleBuilder;
using testing::TempFile;

// OrderedDict {"module.w": tensor of 3 floats on storage "0"}
std::string statePickle() {
  PickleBuilder b;
  b.global("collections", "OrderedDict").binput(0).emptyTuple().reduce().binput(1).mark();
  b.unicode("module.w").binput(2).global("torch._utils", "_rebuild_tensor_v2").binput(3).mark();
  b.mark().unicode("storage").binput(4).global("torch", "FloatStorage").binput(5).unicode("0").binput(6).unicode("cpu").binput(7);
  b.binint1(3).tuple().binput(8).binpersid().binint1(0).binint1(3).op(static_cast<unsigned char>(0x85));
  b.binint1(1).op(static_cast<unsigned char>(0x85)).newFalse().binget(0).emptyTuple().reduce().tuple().reduce();
  b.setitems().stop();
  return b.bytes();
}

std::string storageBytes() { return std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c", 12); }

TEST(RewriteCheckpoint, TorchZipRoundTripsWithKeysRenamed) {
  TempFile input;
  input.write(testing::buildZip({{"snap/data.pkl", statePickle()},
                                 {"snap/.format_version", "1"},
                                 {"snap/byteorder", "little"},
                                 {"snap/data/0", storageBytes()},
                                 {"snap/version", "3\n"}}));
  Result<formats::LoadedCheckpoint> loaded = formats::loadCheckpoint(input.path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EditPlan plan;
  plan.edits = {{Edit::Op::kRenameKey, "module.w", "w"}};
  TempFile output;
  Result<RewriteResult> result = rewriteCheckpoint(*loaded, plan, output.fd());
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->bytes_written, output.contents().size());
  ASSERT_EQ(result->notes.size(), 1u);
  EXPECT_NE(result->notes[0].find(".format_version"), std::string::npos);

  Result<formats::LoadedCheckpoint> reread = formats::loadCheckpoint(output.path());
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  const Checkpoint& checkpoint = reread->checkpoint;
  EXPECT_EQ(checkpoint.archive_root, "snap");
  std::vector<std::string> names;
  for (const ArchiveRecord& record : checkpoint.records) {
    names.push_back(record.name);
    EXPECT_EQ(record.data_offset % 64, 0u) << record.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"data.pkl", "byteorder", "data/0", "version"}));
  ASSERT_EQ(checkpoint.tensors.size(), 1u);
  EXPECT_EQ(checkpoint.tensors[0].path, (ObjectPath{std::string("w")}));
  ASSERT_TRUE(checkpoint.tensors[0].record.has_value());
  EXPECT_EQ(output.contents().substr(checkpoint.tensors[0].record->offset, 12), storageBytes());
  EXPECT_TRUE(checkpoint.issues.empty()) << checkpoint.issues.front().message;
}

TEST(RewriteCheckpoint, FormatsWithoutAWriterAreAClearError) {
  formats::LoadedCheckpoint loaded;
  loaded.checkpoint.format = "some-future-format";
  TempFile output;
  Result<RewriteResult> result = rewriteCheckpoint(loaded, EditPlan{}, output.fd());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("some-future-format"), std::string::npos) << result.error().message;
  EXPECT_TRUE(output.contents().empty());
}

}  // namespace
}  // namespace ckptlint::fix
