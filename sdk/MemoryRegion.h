// Memory regions mapped into this PD. Freestanding.
//
// `MemoryRegion<T>` is a typed view of mapped bytes. `RegionDescriptor<Perms>` is what `corokit gen`
// emits for a map: its vaddr, size and permissions as constants, with views whose element type is
// const when the map is not writable, so a write through a read-only map does not compile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

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

  // A view of the same bytes as another type (e.g. a struct laid out in shared memory). A view of
  // const elements stays const.
  template <typename U>
  MemoryRegion<std::conditional_t<std::is_const_v<T>, const U, U>> as() const {
    return {reinterpret_cast<uintptr_t>(base_), size_bytes()};
  }

 private:
  T* base_ = nullptr;
  size_t count_ = 0;
};

// Map permissions (SDF `perms`).
namespace perm {
inline constexpr unsigned Read = 1u << 0;
inline constexpr unsigned Write = 1u << 1;
inline constexpr unsigned Execute = 1u << 2;
}  // namespace perm

// A map of this PD as the SDF declares it: where, how large, with which permissions.
template <unsigned Perms>
struct RegionDescriptor {
  static constexpr unsigned perms = Perms;
  static constexpr bool writable = (Perms & perm::Write) != 0;

  uintptr_t vaddr;
  size_t size;

  // Elements are const unless the map is writable.
  template <typename T = uint8_t>
  using Element = std::conditional_t<writable, T, const T>;

  template <typename T = uint8_t>
  MemoryRegion<Element<T>> view() const {
    return {vaddr, size};
  }
  // The object of type T at the start of the map (e.g. a ring header). The descriptor is a
  // constant, so `static_assert(sizeof(T) <= region.size)` can check that it fits.
  template <typename T>
  Element<T>& object() const {
    return *reinterpret_cast<Element<T>*>(vaddr);
  }
  constexpr bool contains(uintptr_t address) const { return address >= vaddr && address - vaddr < size; }
};

}  // namespace corokit
