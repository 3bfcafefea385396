// One factory per rule (or rule family member); each defined in its own file under rules/.
#pragma once

#include "linter/core/rule.h"

namespace ckptlint::rules {

Rule unreadableCheckpointRule();   // CKL001
Rule stateDictNotFoundRule();      // CKL002
Rule missingKeyRule();             // CKL101
Rule unexpectedKeyRule();          // CKL102
Rule wrapperPrefixRule();          // CKL103
Rule prefixMismatchRule();         // CKL104
Rule renamedKeyRule();             // CKL105
Rule configuredRenameRule();       // CKL106
Rule shapeMismatchRule();          // CKL201
Rule dtypeMismatchRule();          // CKL202
Rule nonFiniteValuesRule();        // CKL203
Rule deviceLocationRule();         // CKL204
Rule unsafeGlobalRule();           // CKL301
Rule weightsOnlyIncompatibleRule();  // CKL302
Rule storageRecordMissingRule();   // CKL401
Rule viewOutOfBoundsRule();        // CKL402
Rule archiveInconsistencyRule();   // CKL403
Rule optimizerStateMismatchRule();  // CKL501

}  // namespace ckptlint::rules

namespace ckptlint::rules {

/// CKL001's finding for a file the reader gave up on (the error is one line).
Finding unreadableCheckpointFinding(const std::string& file, const std::string& error);

/// CKL001's findings for pickle bytes of a file that was read but could not be scanned in
/// full (a trailer after STOP that is no pickle, a record over the read budget, ...).
std::vector<Finding> unscannedPickleFindings(const Checkpoint& checkpoint);

}  // namespace ckptlint::rules
