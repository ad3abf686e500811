// Helpers for network PDs configured the Microkit way: every map patches its vaddr and size into
// setvars (`setvar_vaddr`, `setvar_size`), DMA regions their I/O address (`<setvar region_paddr>`),
// and channel ends their ids (`setvar_id`). A queue's capacity follows from its region's size: the
// largest power of two whose queue fits (the packer sizes regions as page_round(8 + 16 x cap)), so
// both ends of a queue, which map the same region, agree. docs/net.md shows the SDF.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pds/net/NetLinks.h"

namespace corokit::net {

inline std::uint16_t queue_capacity_for(std::size_t region_bytes) noexcept {
  std::uint32_t cap = 0;
  for (std::uint32_t c = 1; c <= 32768; c <<= 1) {
    if (NET_QUEUE_BYTES(c) <= region_bytes) cap = c;
  }
  return static_cast<std::uint16_t>(cap);
}

inline QueueConfig queue_at(std::uintptr_t vaddr, std::uintptr_t size) noexcept {
  if (vaddr == 0) return {};
  return {reinterpret_cast<net_queue*>(vaddr), queue_capacity_for(size)};
}

inline DataRegion region_at(std::uintptr_t vaddr, std::uintptr_t size) noexcept {
  return {reinterpret_cast<std::uint8_t*>(vaddr), vaddr == 0 ? 0 : size};
}

}  // namespace corokit::net
