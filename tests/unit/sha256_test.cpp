// SHA-256 against FIPS 180-4 example vectors and, for a 1 MiB buffer, against coreutils'
// sha256sum (digest recorded when the test was written).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "linter/io/sha256.h"

namespace ckptlint::io {
namespace {

std::string oneMebibyte() {
  std::string buffer(std::size_t{1} << 20, '\0');
  for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<char>(((i * 31 + 7) >> 3) & 0xff);
  return buffer;
}
// python3 -c 'import sys; sys.stdout.buffer.write(bytes(((i*31+7)>>3)&0xff for i in range(1<<20)))' | sha256sum
constexpr char kOneMebibyteDigest[] = "6f85b28289e29edb2fcf4f8f0f73dce10c12dcd829f1f796c1c3090bddc89ca6";

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256Hex(oneMebibyte()), kOneMebibyteDigest);
}

TEST(Sha256, PaddingBoundaries) {
  // 55 bytes fit the length in the same block; 56..63 need a second one.
  EXPECT_EQ(sha256Hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256Hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256Hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, UpdatesInPiecesEqualOneUpdate) {
  const std::string data = oneMebibyte().substr(0, 1000);
  for (std::size_t piece : {1, 7, 63, 64, 65, 999}) {
    Sha256 hash;
    for (std::size_t offset = 0; offset < data.size(); offset += piece) hash.update(data.substr(offset, piece));
    EXPECT_EQ(hash.hexDigest(), sha256Hex(data)) << "pieces of " << piece;
  }
}

TEST(Sha256, FileIsReadInChunks) {
  const std::string path = ::testing::TempDir() + "sha256_test.bin";
  {
    std::ofstream out(path, std::ios::binary);
    const std::string buffer = oneMebibyte();
    out << buffer << "tail";  // one chunk and a bit
  }
  Result<std::string> digest = sha256File(path);
  ASSERT_TRUE(digest.ok()) << digest.error().message;
  EXPECT_EQ(*digest, sha256Hex(oneMebibyte() + "tail"));
  std::remove(path.c_str());
  EXPECT_FALSE(sha256File(path).ok());
  EXPECT_FALSE(sha256File(::testing::TempDir()).ok()) << "a directory is not a file";
}

}  // namespace
}  // namespace ckptlint::io
