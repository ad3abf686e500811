// The queue pairs between network components (PROTOCOLS.md §4.1), as the virtualisers and the
// copier see them: each end is a view over an sDDF net_queue with its private capacity.
#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/net/BufferSet.h"
#include "sdk/protocol/Queues.h"

namespace corokit::net {

using NetProducer = protocol::QueueProducer<net_buff_desc, std::uint16_t>;
using NetConsumer = protocol::QueueConsumer<net_buff_desc, std::uint16_t>;

// A queue as configured: where it is and its capacity (from the PD's configuration, never from
// shared memory).
struct QueueConfig {
  net_queue* queue = nullptr;
  std::uint16_t capacity = 0;
  bool valid() const noexcept { return protocol::net_queue_region(queue, capacity).valid(); }
  protocol::NetQueue region() const noexcept { return protocol::net_queue_region(queue, capacity); }
};

// A data region of 2 KiB buffers as one component maps it.
struct DataRegion {
  std::uint8_t* data = nullptr;  // this component's mapping (may be read-only)
  std::size_t size = 0;
  std::uint32_t buffers() const noexcept {
    std::size_t n = size / BufferRange::kBufferSize;
    return static_cast<std::uint32_t>(n > kMaxBuffers ? kMaxBuffers : n);
  }
};

// The destination or source MAC of a frame in shared memory, read once (PROTOCOLS.md §1.5.3).
inline void snapshot_bytes(const std::uint8_t* shared, std::uint8_t* out, unsigned n) noexcept {
  const volatile std::uint8_t* in = shared;
  for (unsigned i = 0; i < n; ++i) out[i] = in[i];
}

}  // namespace corokit::net
