// SHA-256 (FIPS 180-4), for SARIF's artifact hashes and stable result fingerprints.
// Written here rather than taken from a crypto library: it is the only hash we need.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "linter/core/result.h"

namespace ckptlint::io {

/// Incremental SHA-256: update() any number of times, then hexDigest() once.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// Pads and finishes; the object must not be updated afterwards.
  std::string hexDigest();

 private:
  void compressBlock(const unsigned char* block);

  std::array<uint32_t, 8> state_;
  std::array<unsigned char, 64> pending_{};  // bytes of a partial block
  std::size_t pending_size_ = 0;
  uint64_t total_bytes_ = 0;
};

/// Lower-case hex digest of `bytes`.
std::string sha256Hex(std::string_view bytes);

/// Lower-case hex digest of the file's contents, read in chunks (never all in memory).
Result<std::string> sha256File(const std::string& path);

}  // namespace ckptlint::io
