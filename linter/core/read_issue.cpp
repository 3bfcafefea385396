#include "linter/core/read_issue.h"

namespace ckptlint {

std::string_view issueKindName(ReadIssue::Kind kind) {
  using Kind = ReadIssue::Kind;
  switch (kind) {
    case Kind::kUnresolvedGlobal: return "unresolved-global";
    case Kind::kDataAfterStop: return "data-after-stop";
    case Kind::kUnreadablePickle: return "unreadable-pickle";
    case Kind::kLatin1Strings: return "latin1-strings";
    case Kind::kSharedObject: return "shared-object";
    case Kind::kStorageMissing: return "storage-missing";
    case Kind::kStorageTooShort: return "storage-too-short";
    case Kind::kStorageTooLong: return "storage-too-long";
    case Kind::kViewOutOfBounds: return "view-out-of-bounds";
    case Kind::kUnusedStorage: return "unused-storage";
    case Kind::kLocalNameMismatch: return "local-name-mismatch";
    case Kind::kLocalHeaderMismatch: return "local-header-mismatch";
    case Kind::kSharedLocalHeader: return "shared-local-header";
    case Kind::kDuplicateName: return "duplicate-name";
    case Kind::kOutsideRoot: return "outside-root";
    case Kind::kEncrypted: return "encrypted";
    case Kind::kUnsupportedFlags: return "unsupported-flags";
    case Kind::kOverlappingRecords: return "overlapping-records";
    case Kind::kDeflateRatio: return "deflate-ratio";
    case Kind::kCrcMismatch: return "crc-mismatch";
    case Kind::kAmbiguousEndRecord: return "ambiguous-end-record";
    case Kind::kForeignByteOrder: return "foreign-byte-order";
    case Kind::kShardUnreadable: return "shard-unreadable";
    case Kind::kShardKeyMissing: return "shard-key-missing";
    case Kind::kShardKeyMisplaced: return "shard-key-misplaced";
    case Kind::kShardKeyUnindexed: return "shard-key-unindexed";
    case Kind::kShardKeyDuplicate: return "shard-key-duplicate";
    case Kind::kShardTotalSize: return "shard-total-size";
  }
  return "unknown";
}

}  // namespace ckptlint
