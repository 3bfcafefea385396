// CKL401 storage-record-missing, CKL402 view-out-of-bounds, CKL403 archive-inconsistency: the
// readers record what they meet as structured read issues; this file says which rule (and
// level) each kind of issue belongs to. Kinds not listed (shared objects, unused storages,
// Latin-1 strings; unresolved globals, which CKL301 reports; unscannable pickles, CKL001) are
// shown by `inspect` only.
#include <optional>

#include "rules/all_rules.h"

namespace ckptlint::rules {
namespace {

using Kind = ReadIssue::Kind;

struct Route {
  std::string_view rule_id;
  Level level = Level::kError;
};

std::optional<Route> routeOf(Kind kind) {
  switch (kind) {
    case Kind::kStorageMissing:
    case Kind::kStorageTooShort: return Route{"CKL401"};
    case Kind::kViewOutOfBounds: return Route{"CKL402"};
    case Kind::kStorageTooLong: return Route{"CKL403", Level::kWarning};
    case Kind::kLocalNameMismatch:
    case Kind::kLocalHeaderMismatch:
    case Kind::kSharedLocalHeader:
    case Kind::kDuplicateName:
    case Kind::kOutsideRoot:
    case Kind::kEncrypted:
    case Kind::kUnsupportedFlags:
    case Kind::kOverlappingRecords:
    case Kind::kDeflateRatio:
    case Kind::kCrcMismatch:
    case Kind::kAmbiguousEndRecord: return Route{"CKL403"};
    // Bytes after a STOP are invisible to torch.load but not to other loaders.
    case Kind::kDataAfterStop: return Route{"CKL403"};
    // Sharded sets: lost tensors are errors of the storage rule; an index that disagrees with
    // shards that still hold every tensor is an inconsistency (loaders that read whole shards
    // do not mind, loaders that follow the index do); total_size is informative only.
    case Kind::kShardUnreadable:
    case Kind::kShardKeyMissing: return Route{"CKL401"};
    case Kind::kShardKeyDuplicate: return Route{"CKL403"};
    case Kind::kShardKeyMisplaced:
    case Kind::kShardKeyUnindexed: return Route{"CKL403", Level::kWarning};
    case Kind::kShardTotalSize: return Route{"CKL403", Level::kNote};
    // Pickle bytes that could not be scanned make the file unreadable (CKL001, reported by the
    // CLI whatever is selected: fail closed).
    case Kind::kUnreadablePickle:
    case Kind::kUnresolvedGlobal:
    case Kind::kLatin1Strings:
    case Kind::kSharedObject:
    case Kind::kForeignByteOrder:
    case Kind::kUnusedStorage: return std::nullopt;
  }
  return std::nullopt;
}

template <const char* kRuleId>
void reportIssues(const CheckContext& context, FindingSink& sink) {
  for (const ReadIssue& issue : context.checkpoint.issues) {
    const std::optional<Route> route = routeOf(issue.kind);
    if (!route || route->rule_id != kRuleId) continue;
    Finding& finding = sink.addForFile(issue.message);
    finding.level = route->level;
    if (!issue.tensor.empty()) {
      finding.key = displayPath(issue.tensor);
      finding.keys = {*finding.key};
    }
  }
}

constexpr char kStorageRule[] = "CKL401";
constexpr char kViewRule[] = "CKL402";
constexpr char kArchiveRule[] = "CKL403";

}  // namespace

Rule storageRecordMissingRule() {
  return defineRule(kStorageRule, "storage-record-missing", Level::kError,
                    "a tensor's storage record is absent or shorter than its declared size (or its shard is missing)",
                    reportIssues<kStorageRule>);
}

Rule viewOutOfBoundsRule() {
  return defineRule(kViewRule, "view-out-of-bounds", Level::kError,
                    "a tensor's shape, stride and offset reach past its storage", reportIssues<kViewRule>);
}

Rule archiveInconsistencyRule() {
  return defineRule(kArchiveRule, "archive-inconsistency", Level::kError,
                    "the zip archive is inconsistent: CRC, names, headers, flags, overlaps, data after a pickle; "
                    "or a shard index disagrees with its shards",
                    reportIssues<kArchiveRule>);
}

}  // namespace ckptlint::rules
