#include "linter/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ckptlint::io {

Result<MappedFile> MappedFile::open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO (e.g. a "shard" an index names) would otherwise wait for a
  // writer forever; it is refused below as not a regular file. No effect on regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return makeError("no such file");
    return makeError(std::string("cannot open: ") + std::strerror(error));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return makeError(std::string("cannot stat: ") + std::strerror(error));
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return makeError("is a directory, not a checkpoint file");
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return makeError("not a regular file");
  }
  MappedFile file;
  file.path_ = path;
  file.size_ = static_cast<std::size_t>(info.st_size);
  if (file.size_ > 0) {
    void* mapping = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      const int error = errno;
      ::close(fd);
      return makeError(std::string("cannot map: ") + std::strerror(error));
    }
    // Reading a checkpoint's structure touches a few scattered pages (directory, local headers,
    // data.pkl): no readahead or fault-around, so tensor bytes are neither read nor mapped.
    ::madvise(mapping, file.size_, MADV_RANDOM);
    file.data_ = static_cast<const char*>(mapping);
  }
  file.fd_ = fd;
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    data_ = other.data_;
    size_ = other.size_;
    other.fd_ = -1;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  data_ = nullptr;
  size_ = 0;
}

void MappedFile::adviseSequential() const {
  if (data_ != nullptr) ::madvise(const_cast<char*>(data_), size_, MADV_SEQUENTIAL);
}

void MappedFile::releasePages(uint64_t offset, uint64_t size) const {
  if (data_ == nullptr || offset >= size_) return;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t begin = offset / page * page;  // the mapping starts page-aligned
  const uint64_t end = std::min<uint64_t>(size_, offset + size);
  if (end > begin) ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

bool MappedFile::readAt(uint64_t offset, std::size_t size, std::string* out) const {
  if (offset > size_ || size > size_ - offset) return false;
  out->resize(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd_, out->data() + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

}  // namespace ckptlint::io
