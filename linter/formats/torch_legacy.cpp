#include "linter/formats/torch_legacy.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "linter/core/bounded_issues.h"
#include "linter/formats/containers.h"
#include "linter/formats/object_walk.h"
#include "linter/formats/pickle_scan.h"
#include "linter/formats/storage_checks.h"
#include "linter/formats/tensor_rebuild.h"

namespace ckptlint::formats {
namespace {

using pickle::Value;
using pickle::ValueKind;

// torch.serialization.MAGIC_NUMBER and PROTOCOL_VERSION, as the pickle reader spells them.
constexpr std::string_view kMagicNumber = "0x1950a86a20f9469cfc6c";
constexpr int64_t kProtocolVersion = 1001;

constexpr std::string_view kMagicPickle = "magic pickle";
constexpr std::string_view kProtocolPickle = "protocol pickle";
constexpr std::string_view kSysInfoPickle = "sys_info pickle";
constexpr std::string_view kKeysPickle = "storage key pickle";

// A storage as torch's persistent_load creates it: by the first persistent id naming its key.
struct Storage {
  DType dtype = DType::kUInt8;  // UntypedStorage counts bytes
  int64_t numel = 0;
  std::string storage_class;    // for messages: "FloatStorage"
  std::optional<ByteRange> bytes;  // where its data lies in the file (after the count)
};

// A legacy view (view_metadata): a slice of a root storage that torch keys by its own name.
struct View {
  std::string root;
  int64_t offset = 0;  // elements of the root's dtype
  int64_t numel = 0;
};

uint64_t readLittleEndian64(std::string_view bytes, uint64_t at) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[at + static_cast<uint64_t>(i)]);
  return value;
}

class TorchLegacyReader {
 public:
  TorchLegacyReader(std::string_view file, const std::string& path) : file_(file) {
    checkpoint_.file = path;
    checkpoint_.format = "torch-legacy";
    checkpoint_.file_size = file.size();
    // The format stores storages little-endian whatever the writer's host (torch converts).
    checkpoint_.byteorder = "little";
  }

  Result<TorchLegacyContents> read() {
    Result<pickle::Pickle> magic = nextPickle(kMagicPickle);
    if (!magic) return magic.error();
    const Value* number = magic->root();
    if (number->kind != ValueKind::kInt || !number->big_int || number->text != kMagicNumber) {
      return makeError("the first pickle is not torch's magic number; torch.load refuses the file ('Invalid magic "
                       "number; corrupt file?')");
    }
    Result<pickle::Pickle> protocol = nextPickle(kProtocolPickle);
    if (!protocol) return protocol.error();
    if (!protocol->root()->isInt() || protocol->root()->integer != kProtocolVersion) {
      return makeError("the protocol version pickle is not 1001; torch.load refuses the file ('Invalid protocol "
                       "version')");
    }
    Result<pickle::Pickle> sys_info = nextPickle(kSysInfoPickle);
    if (!sys_info) return sys_info.error();
    noteByteOrder(*sys_info->root());
    Result<pickle::Pickle> main = nextPickle(kLegacyMainPickle);
    if (!main) return main.error();
    checkpoint_.pickle_protocol = main->protocol();
    noteLatin1Strings(*main, std::string(kLegacyMainPickle), checkpoint_);
    if (auto error = declareStorages(*main->root())) return *error;
    Result<ObjectContents> contents = walkObjectTree(*main->root());
    if (!contents) return makeError(std::string(kLegacyMainPickle) + ": " + contents.error().message);
    checkpoint_.tensors = std::move(contents->tensors);
    checkpoint_.state_dicts = std::move(contents->state_dicts);
    checkpoint_.optimizer_states = std::move(contents->optimizer_states);
    for (ReadIssue& issue : contents->issues) checkpoint_.issues.push_back(std::move(issue));
    indexUsers();
    Result<pickle::Pickle> keys = nextPickle(kKeysPickle);
    if (!keys) return keys.error();
    if (auto error = readStorageData(*keys->root())) return *error;
    noteTrailingBytes();
    placeTensors();
    noteUnlistedStorages();
    for (ReadIssue& issue : tensor_issues_.take()) checkpoint_.issues.push_back(std::move(issue));
    return TorchLegacyContents{std::move(main).value(), std::move(checkpoint_)};
  }

 private:
  // The next pickle of the stream, scanned for globals and listed as a record.
  Result<pickle::Pickle> nextPickle(std::string_view name) {
    if (position_ >= file_.size()) {
      return makeError("the file ends before the " + std::string(name) + " (at offset " + std::to_string(position_) +
                       "): truncated; torch.load fails on it");
    }
    Result<pickle::Pickle> parsed = pickle::readPickle(file_, position_);
    if (!parsed) return makeError(std::string(name) + ": " + parsed.error().message);
    addGlobals(*parsed, std::string(name), checkpoint_);
    addRecord(std::string(name), position_, parsed->endOffset() - position_);
    position_ = parsed->endOffset();
    return parsed;
  }

  void addRecord(std::string name, uint64_t offset, uint64_t size) {
    ArchiveRecord record;
    record.name = std::move(name);
    record.data_offset = offset;
    record.stored_size = size;
    record.size = size;
    checkpoint_.records.push_back(std::move(record));
  }

  // torch ignores sys_info; a big-endian writer still stored every storage little-endian.
  void noteByteOrder(const Value& sys_info) {
    const Entries* entries = asMapping(sys_info);
    const Value* little = entries != nullptr ? lookup(*entries, "little_endian") : nullptr;
    if (little != nullptr && little->kind == ValueKind::kBool && !little->boolean) {
      checkpoint_.issues.push_back(
          {ReadIssue::Kind::kForeignByteOrder, std::string(kSysInfoPickle), 0,
           "written on a big-endian host (sys_info little_endian=False); torch ignores this: the legacy format "
           "stores storages little-endian whatever the host, and they are read as such",
           {}});
    }
  }

  // Every persistent id of the object pickle, in the order the unpickler meets them (their
  // opcode offsets): torch creates each storage at the first id naming its key.
  std::optional<Error> declareStorages(const Value& root) {
    std::vector<const Value*> ids;
    std::unordered_set<const Value*> seen{&root};
    std::vector<const Value*> pending{&root};
    // Leaves (strings, numbers, globals) hold no persistent id: not worth remembering.
    auto push = [&](const Value* value) {
      if (value == nullptr) return;
      const bool leaf = value->items.empty() && value->entries().empty() && value->appended().empty() &&
                        value->state() == nullptr;
      if (leaf) return;
      if (seen.insert(value).second) pending.push_back(value);
    };
    while (!pending.empty()) {
      const Value* value = pending.back();
      pending.pop_back();
      if (value->kind == ValueKind::kPersistentId) ids.push_back(value);
      for (const Value* item : value->items) push(item);
      for (const auto& [key, entry] : value->entries()) {
        push(key);
        push(entry);
      }
      for (const Value* item : value->appended()) push(item);
      push(value->state());
    }
    std::sort(ids.begin(), ids.end(), [](const Value* a, const Value* b) { return a->offset < b->offset; });
    for (const Value* id : ids) {
      if (auto error = declareStorage(*id)) return error;
    }
    return std::nullopt;
  }

  std::optional<Error> declareStorage(const Value& id) {
    const std::string where = std::string(kLegacyMainPickle) + " offset " + std::to_string(id.offset) + ": ";
    const Value* tuple = id.items.empty() ? nullptr : id.items[0];
    const bool tagged = tuple != nullptr && tuple->kind == ValueKind::kTuple && !tuple->items.empty() &&
                        (tuple->items[0]->isString() || tuple->items[0]->kind == ValueKind::kBytes);
    if (!tagged) return makeError(where + "a persistent id that is not a tagged tuple; torch.load fails on it");
    const std::string& type = tuple->items[0]->text;
    if (type == "module") return std::nullopt;  // a pickled nn.Module class and its source
    if (type != "storage") {
      return makeError(where + "persistent id of unknown type '" + type + "'; torch.load fails on it");
    }
    if (tuple->items.size() != 6) {
      return makeError(where + "a storage persistent id of " + std::to_string(tuple->items.size()) +
                       " elements; the legacy format has 6 and torch.load fails on others");
    }
    Result<StorageId> parsed = readStorageId(*tuple);
    if (!parsed) return makeError(where + parsed.error().message);
    auto [storage, created] = storages_.try_emplace(parsed->key);
    if (created) {
      storage->second.dtype = parsed->dtype.value_or(DType::kUInt8);
      storage->second.numel = parsed->numel;
      storage->second.storage_class = tuple->items[1]->name();
    }
    // torch keys views and roots in one table: a view named like a known storage is that storage.
    if (parsed->view && storages_.count(parsed->view->key) == 0 && views_.count(parsed->view->key) == 0) {
      views_.emplace(parsed->view->key, View{parsed->key, parsed->view->offset, parsed->view->numel});
    }
    return std::nullopt;
  }

  const std::string& rootOf(const std::string& key) const {
    if (views_.empty()) return key;
    const auto view = views_.find(key);
    return view != views_.end() ? view->second.root : key;
  }

  // The first tensor on each root storage, for messages.
  void indexUsers() {
    for (const TensorInfo& tensor : checkpoint_.tensors) {
      if (!tensor.storage_key.empty()) first_user_.emplace(rootOf(tensor.storage_key), &tensor.path);
    }
  }

  std::string usedBy(const std::string& key) const {
    const auto user = first_user_.find(key);
    return user != first_user_.end() ? " (used by " + displayPath(*user->second) + ")" : "";
  }

  // The storage key list, then each listed storage's count and bytes, as torch reads them.
  std::optional<Error> readStorageData(const Value& keys) {
    const pickle::ValueList* list = asSequence(keys);
    if (list == nullptr) return makeError("the storage key pickle is not a list; torch.load fails on it");
    for (const Value* key : *list) {
      if (!key->isString()) return makeError("the storage key list holds a " + std::string(pickle::kindName(key->kind)) +
                                             ", not a string; torch.load fails on it");
      const auto found = storages_.find(key->text);
      if (found == storages_.end()) {
        return makeError("the storage key list names '" + key->text +
                         "', which no persistent id of the main pickle declares; torch.load fails on it");
      }
      if (auto error = readStorageBytes(key->text, found->second)) return error;
    }
    return std::nullopt;
  }

  std::optional<Error> readStorageBytes(const std::string& key, Storage& storage) {
    auto name = [&] { return "storage '" + key + "'" + usedBy(key); };
    if (file_.size() - position_ < 8) {
      return makeError("the file ends inside the element count of " + name() + " at offset " + std::to_string(position_) +
                       ": truncated; torch.load fails on it");
    }
    const auto count = static_cast<int64_t>(readLittleEndian64(file_, position_));
    if (count != storage.numel) {
      return makeError(name() + " at offset " + std::to_string(position_) + ": the file holds " + std::to_string(count) +
                       " elements, its persistent id declares " + std::to_string(storage.numel) + " (" +
                       storage.storage_class + "); torch.load fails on it ('storage has wrong byte size')");
    }
    const uint64_t element_size = elementSize(storage.dtype);
    uint64_t nbytes = 0;
    const uint64_t start = position_ + 8;
    if (__builtin_mul_overflow(static_cast<uint64_t>(count), element_size, &nbytes) || nbytes > file_.size() - start) {
      return makeError(name() + " needs " + std::to_string(count) + " × " + std::to_string(element_size) +
                       " bytes from offset " + std::to_string(start) + ", but the file ends " +
                       std::to_string(file_.size() - start) + " bytes after it: truncated; torch.load fails on it");
    }
    if (storage.bytes) {
      tensor_issues_.add(ReadIssue::Kind::kDuplicateName, "storage:" + key, position_,
                         "storage key '" + key + "' is listed more than once; torch.load reads every copy into the "
                         "same storage and keeps the last one (offset " + std::to_string(start) + ")");
    }
    storage.bytes = ByteRange{start, nbytes};
    addRecord("storage:" + key, start, nbytes);
    position_ = start + nbytes;
    return std::nullopt;
  }

  // torch stops after the last listed storage; what follows is never read by it.
  void noteTrailingBytes() {
    if (position_ >= file_.size()) return;
    const std::string record = "after the storages";
    checkpoint_.issues.push_back({ReadIssue::Kind::kDataAfterStop, record, position_,
                                  "the file has " + std::to_string(file_.size() - position_) +
                                      " bytes after the last storage (from offset " + std::to_string(position_) +
                                      "); torch.load ignores them",
                                  {}});
    if (looksLikePickle(file_.substr(position_))) scanTrailingPickles(file_, position_, record, checkpoint_);
  }

  // Gives each tensor the storage torch gives it: its dtype (the first declaration's), size and
  // place in the file; a legacy view gets its slice of the root storage.
  void placeTensors() {
    for (TensorInfo& tensor : checkpoint_.tensors) {
      if (tensor.storage_key.empty()) continue;
      const auto view = views_.find(tensor.storage_key);
      const std::string& root_key = rootOf(tensor.storage_key);
      const auto root = storages_.find(root_key);
      if (root == storages_.end()) continue;  // cannot happen: every id was declared
      const Storage& storage = root->second;
      const uint64_t element_size = elementSize(storage.dtype);
      uint64_t offset = 0;
      uint64_t numel = static_cast<uint64_t>(storage.numel);
      if (view != views_.end()) {
        offset = static_cast<uint64_t>(view->second.offset) * element_size;
        numel = static_cast<uint64_t>(view->second.numel);
      }
      if (tensor.rebuild_function != "torch._utils._rebuild_tensor_v3") tensor.dtype = storage.dtype;
      tensor.storage_nbytes = numel * element_size;
      const std::string record = "storage:" + root_key;
      if (storage.bytes) {
        if (offset + tensor.storage_nbytes > storage.bytes->size) {
          tensor_issues_.add({ReadIssue::Kind::kViewOutOfBounds, record, storage.bytes->offset,
                              displayPath(tensor.path) + ": its storage view '" + tensor.storage_key + "' (" +
                                  std::to_string(tensor.storage_nbytes) + " bytes from byte " + std::to_string(offset) +
                                  ") reaches past storage '" + root_key + "' (" +
                                  std::to_string(storage.bytes->size) + " bytes)",
                              tensor.path});
        } else {
          tensor.record = ByteRange{storage.bytes->offset + offset, tensor.storage_nbytes};
        }
      }
      if (auto issue = viewOutsideStorage(tensor, record)) tensor_issues_.add(std::move(*issue));
    }
  }

  // A storage the key list omits is never read: torch.load hands out uninitialised memory.
  void noteUnlistedStorages() {
    std::map<std::string, const Storage*> sorted;
    for (const auto& [key, storage] : storages_) sorted.emplace(key, &storage);
    for (const auto& [key, storage] : sorted) {
      if (storage->bytes || storage->numel == 0) continue;
      const auto user = first_user_.find(key);
      const ObjectPath tensor_path = user != first_user_.end() ? *user->second : ObjectPath{};
      tensor_issues_.add({ReadIssue::Kind::kStorageMissing, "storage:" + key, 0,
                          "storage '" + key + "'" + usedBy(key) +
                              " is not in the storage key list, so its bytes are not in the file; torch.load "
                              "silently gives it uninitialised memory",
                          tensor_path});
    }
  }

  std::string_view file_;
  uint64_t position_ = 0;
  Checkpoint checkpoint_;
  std::unordered_map<std::string, Storage> storages_;
  std::unordered_map<std::string, View> views_;
  std::unordered_map<std::string, const ObjectPath*> first_user_;  // root key -> first tensor's path
  BoundedIssues tensor_issues_{100, "tensors and their storages"};
};

}  // namespace

Result<TorchLegacyContents> readTorchLegacy(std::string_view file, const std::string& path) {
  return TorchLegacyReader(file, path).read();
}

}  // namespace ckptlint::formats
