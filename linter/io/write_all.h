// The one place ckptlint writes bytes to a file descriptor, so that tests can make a write fail.
#pragma once

#include <optional>
#include <string_view>

#include "linter/core/result.h"

namespace ckptlint::io {

/// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
/// Fault injection for tests: when the environment variable CKPTLINT_FAIL_WRITE_AT is N (≥ 1),
/// the N-th call in this process fails with EIO before writing anything.
std::optional<Error> writeAll(int fd, std::string_view bytes);

}  // namespace ckptlint::io
