// A driver's DMA view (PROTOCOLS.md §1.6): the regions it may transfer into or out of, each mapped
// at some address in the driver and known to its peers by an I/O address (the region's
// pseudo-physical address, from `<setvar region_paddr>`). Descriptors from the virtualiser carry
// I/O addresses; translate() turns one into a pointer only when the whole transfer lies inside a
// single region. Freestanding.
#pragma once

#include <cstdint>

namespace corokit::block {

class DmaView {
 public:
  static constexpr unsigned kMaxWindows = 32;

  // False when the table is full, the window is empty, or its I/O range wraps.
  bool add(uint64_t io, uint64_t size, void* base) noexcept {
    if (count_ == kMaxWindows || size == 0 || base == nullptr || io + size < io) return false;
    windows_[count_++] = Window{io, size, static_cast<uint8_t*>(base)};
    return true;
  }

  // The driver's address of [io, io + length), or nullptr when it is not inside one window.
  uint8_t* translate(uint64_t io, uint64_t length) const noexcept {
    for (unsigned i = 0; i < count_; ++i) {
      const Window& w = windows_[i];
      if (io >= w.io && length <= w.size && io - w.io <= w.size - length) return w.base + (io - w.io);
    }
    return nullptr;
  }

  unsigned count() const noexcept { return count_; }
  // Window i's mapping in the driver (i < count()).
  uint8_t* base(unsigned i) const noexcept { return windows_[i].base; }
  uint64_t size(unsigned i) const noexcept { return windows_[i].size; }

 private:
  struct Window {
    uint64_t io;
    uint64_t size;
    uint8_t* base;
  };
  Window windows_[kMaxWindows] = {};
  unsigned count_ = 0;
};

}  // namespace corokit::block
