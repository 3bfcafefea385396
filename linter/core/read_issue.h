// ReadIssue: something a format reader met that did not stop the read but that rules must
// judge (a storage record of the wrong size, a local header that disagrees with the central
// directory, bytes after a pickle's STOP, ...). Structured, so that integrity rules map kinds
// to findings without parsing text; `message` is the human sentence `inspect` shows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "linter/core/object_path.h"

namespace ckptlint {

struct ReadIssue {
  enum class Kind : uint8_t {
    // Pickles.
    kUnresolvedGlobal,      // STACK_GLOBAL whose operands are not strings
    kDataAfterStop,         // bytes after the pickle's STOP (scanned as further pickles)
    kUnreadablePickle,      // a pickle-looking record or trailer the reader could not parse
    kLatin1Strings,         // Python 2 byte strings that are not UTF-8
    kSharedObject,          // one object reached through two paths (or a cycle)
    kForeignByteOrder,      // written on a host of the other byte order; read as torch reads it (note)
    // Tensors and their storage records.
    kStorageMissing,        // the record a tensor points at is absent
    kStorageTooShort,       // the record holds fewer bytes than the persistent id declares
    kStorageTooLong,        // ... more bytes than declared
    kViewOutOfBounds,       // shape/stride/offset reach past the storage (or overflow)
    kUnusedStorage,         // storage records no tensor found uses
    // The archive.
    kLocalNameMismatch,     // local header names the record differently
    kLocalHeaderMismatch,   // local header's method, sizes or CRC differ from the central directory
    kSharedLocalHeader,     // two central entries point at one local header
    kDuplicateName,         // the same name (case-insensitively) more than once
    kOutsideRoot,           // a record outside the archive's root folder
    kEncrypted,             // encryption flag set
    kUnsupportedFlags,      // patch data or strong encryption flags, or an unknown compression method
    kOverlappingRecords,    // two records' bytes overlap
    kDeflateRatio,          // declared size beyond what deflate can produce from the stored bytes
    kCrcMismatch,           // the bytes do not match the central directory's CRC-32
    kAmbiguousEndRecord,    // the end record's comment does not end the file, or another end
                            // record hides in the tail: zip readers may pick different directories
    // Sharded checkpoints (an index JSON naming shard files).
    kShardUnreadable,       // a shard the index names is missing or cannot be read: its tensors are lost
    kShardKeyMissing,       // the index puts a key in a shard that does not hold it
    kShardKeyMisplaced,     // a key sits in another shard than the index says
    kShardKeyUnindexed,     // a shard holds a key the index does not list
    kShardKeyDuplicate,     // two shards hold the same key
    kShardTotalSize,        // metadata.total_size differs from the bytes of the tensors
  };

  Kind kind = Kind::kDataAfterStop;
  std::string record;   // the archive record it concerns (full name), empty when none
  uint64_t offset = 0;  // byte offset: in the record for pickle issues, in the file otherwise
  std::string message;  // one sentence for people
  ObjectPath tensor;    // the tensor it concerns (storage and view issues), else empty
};

/// Stable kebab-case name of a kind ("storage-missing"), for JSON and tests.
std::string_view issueKindName(ReadIssue::Kind kind);

}  // namespace ckptlint
