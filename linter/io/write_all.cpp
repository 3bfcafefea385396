#include "linter/io/write_all.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ckptlint::io {
namespace {

// CKPTLINT_FAIL_WRITE_AT, read once; 0 when unset or not a positive number.
uint64_t failingCallNumber() {
  static const uint64_t number = [] {
    const char* text = std::getenv("CKPTLINT_FAIL_WRITE_AT");
    if (text == nullptr) return uint64_t{0};
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 10);
    return end != text && *end == '\0' ? static_cast<uint64_t>(value) : uint64_t{0};
  }();
  return number;
}

}  // namespace

std::optional<Error> writeAll(int fd, std::string_view bytes) {
  static std::atomic<uint64_t> calls{0};
  const uint64_t call = ++calls;
  if (call == failingCallNumber()) return makeError(std::string("cannot write: ") + std::strerror(EIO));
  while (!bytes.empty()) {
    const ssize_t written = write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return makeError(std::string("cannot write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return std::nullopt;
}

}  // namespace ckptlint::io
