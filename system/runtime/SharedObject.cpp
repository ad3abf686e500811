#include "system/runtime/SharedObject.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

namespace corokit::runtime {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

int make_memfd(const std::string& name, unsigned flags) {
  int fd = memfd_create(name.c_str(), flags);
  if (fd < 0 && errno == EINVAL) fd = memfd_create(name.c_str(), flags & ~(MFD_EXEC | MFD_NOEXEC_SEAL));
  return fd;
}

}  // namespace

Result<SharedObject> SharedObject::create(const std::string& name, uint64_t size) {
  size = (size + 0xfff) & ~uint64_t{0xfff};
  Fd fd(make_memfd(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) return Error{"memfd_create(" + name + "): " + std::strerror(errno)};
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) return Error{"sizing " + name + ": " + std::strerror(errno)};
  fcntl(fd.get(), F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return Error{"mapping " + name + ": " + std::strerror(errno)};
  SharedObject o;
  o.fd_ = std::move(fd);
  o.data_ = static_cast<uint8_t*>(p);
  o.size_ = size;
  return o;
}

SharedObject::SharedObject(SharedObject&& o) noexcept
    : fd_(std::move(o.fd_)), data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

SharedObject& SharedObject::operator=(SharedObject&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) munmap(data_, size_);
    fd_ = std::move(o.fd_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

SharedObject::~SharedObject() {
  if (data_ != nullptr) munmap(data_, size_);
}

Result<Fd> SharedObject::read_only_fd() const {
  std::string path = "/proc/self/fd/" + std::to_string(fd_.get());
  Fd ro(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ro.valid()) return Error{"reopening a memfd read-only: " + std::string(std::strerror(errno))};
  return ro;
}

Result<Fd> sealed_memfd(const std::string& name, const void* bytes, size_t size, bool executable) {
  Fd fd(make_memfd(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | (executable ? MFD_EXEC : MFD_NOEXEC_SEAL)));
  if (!fd.valid()) return Error{"memfd_create(" + name + "): " + std::strerror(errno)};
  const char* p = static_cast<const char*>(bytes);
  size_t left = size;
  while (left > 0) {
    ssize_t n = write(fd.get(), p, left);
    if (n <= 0) return Error{"writing " + name + ": " + std::strerror(errno)};
    p += n;
    left -= static_cast<size_t>(n);
  }
  fcntl(fd.get(), F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

}  // namespace corokit::runtime
