// A shared-memory object (memfd) of fixed size, mapped into the monitor, handed to PDs by descriptor.
// Size is sealed, so no PD can shrink it under the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "system/support/Result.h"

namespace corokit::runtime {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

class SharedObject {
 public:
  SharedObject() = default;
  // A zero-filled object of `size` bytes (rounded up to pages).
  static Result<SharedObject> create(const std::string& name, uint64_t size);
  SharedObject(SharedObject&& o) noexcept;
  SharedObject& operator=(SharedObject&& o) noexcept;
  ~SharedObject();

  int fd() const { return fd_.get(); }
  // A read-only descriptor of the same object: mappings through it can never be made writable.
  Result<Fd> read_only_fd() const;
  uint64_t size() const { return size_; }
  uint8_t* data() const { return data_; }
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(data_);
  }

 private:
  Fd fd_;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

// A sealed memfd holding `bytes` (an ELF to execute, a boot descriptor), not mapped.
Result<Fd> sealed_memfd(const std::string& name, const void* bytes, size_t size, bool executable);

}  // namespace corokit::runtime
