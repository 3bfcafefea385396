// Stable identities of findings across runs: SARIF's partialFingerprints and the keys of a
// baseline file (`ckptlint baseline create`) are the same strings.
#pragma once

#include <string>
#include <vector>

#include "linter/core/finding.h"

namespace ckptlint::reports {

/// One fingerprint per finding of one file, in order: "HASH:N". HASH is the first 32 hex digits
/// of the sha-256 of the rule, the state-dict path and the keys -- not the file's path (it
/// depends on where the tool ran), not the message (its wording may change), not byte offsets
/// (they move when the checkpoint is re-saved). A finding that covers no key (CKL301/302's
/// global, an archive issue) is told apart by its message with each number that stands alone
/// made '#' (digits inside names stay): the names it holds identify it. Like GitHub's own line hashes, N numbers repeats
/// of the same HASH within the file, so that two findings nothing else tells apart keep
/// distinct, stable fingerprints.
std::vector<std::string> findingFingerprints(const std::vector<Finding>& findings);

}  // namespace ckptlint::reports
