// A typed view of a memory region mapped into this PD (its vaddr and size usually come from
// `setvar_vaddr` / `setvar_size` symbols). Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace corokit {

template <typename T = uint8_t>
class MemoryRegion {
 public:
  constexpr MemoryRegion() = default;
  MemoryRegion(uintptr_t vaddr, size_t size_bytes)
      : base_(reinterpret_cast<T*>(vaddr)), count_(size_bytes / sizeof(T)) {}

  T* data() const { return base_; }
  size_t size() const { return count_; }
  size_t size_bytes() const { return count_ * sizeof(T); }
  T& operator[](size_t i) const { return base_[i]; }
  std::span<T> span() const { return {base_, count_}; }
  T* begin() const { return base_; }
  T* end() const { return base_ + count_; }

  // A view of the same bytes as another type (e.g. a struct laid out in shared memory).
  template <typename U>
  MemoryRegion<U> as() const {
    return MemoryRegion<U>(reinterpret_cast<uintptr_t>(base_), size_bytes());
  }

 private:
  T* base_ = nullptr;
  size_t count_ = 0;
};

}  // namespace corokit
