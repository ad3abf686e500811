// The copier's logic (PROTOCOLS.md §4.7): one per untrusted client. It copies each frame from the
// Rx DMA region (read-only here) into a buffer of the client's own Rx region, exactly `len` bytes,
// and gives the DMA buffer back to the Rx virtualiser at once; with no free client buffer the frame
// is dropped, so a slow client never holds shared buffers. The client never maps the DMA region.
//
// Client buffers are tracked: the client may return (on its Rx free queue) only buffers it holds;
// anything else is rejected and counted, and the copier's accounting stays exact.
#pragma once

#include <cstdint>

#include "executor/net/BufferSet.h"
#include "pds/net/NetLinks.h"
#include "pds/net/PeerHealth.h"

namespace corokit::net {

struct CopierConfig {
  QueueConfig virt_active;    // we consume: frames from the Rx virtualiser (DMA offsets)
  QueueConfig virt_free;      // we produce: DMA buffers back to the virtualiser
  QueueConfig client_active;  // we produce: frames in client buffers (client offsets)
  QueueConfig client_free;    // we consume: client buffers the client is done with
  DataRegion dma;             // read-only
  DataRegion client;          // read-write
};

struct CopierStats {
  std::uint64_t copied = 0;
  std::uint64_t dropped = 0;       // no free client buffer
  std::uint64_t virt_errors = 0;   // bad descriptors from the virtualiser
};

class Copier {
 public:
  static constexpr std::uint32_t kNotifyClient = 1;
  static constexpr std::uint32_t kNotifyVirt = 2;

  explicit Copier(const CopierConfig& config) noexcept;
  bool valid() const noexcept { return valid_; }

  struct Pass {
    std::uint32_t notify = 0;
    bool more = false;
  };
  Pass pass() noexcept;

  const CopierStats& stats() const noexcept { return stats_; }
  const PeerHealth& client_health() const noexcept { return health_; }
  std::uint32_t client_holds() const noexcept { return with_client_.size(); }

 private:
  bool take_client_buffer(std::uint32_t& buffer) noexcept;

  CopierConfig config_;
  NetConsumer virt_active_;
  NetProducer virt_free_;
  NetProducer client_active_;
  NetConsumer client_free_;
  BufferRange dma_;
  BufferRange client_;
  BufferSet with_client_;  // client buffers the client holds (or that sit in its free queue)
  PeerHealth health_;
  std::uint32_t violations_seen_ = 0;
  CopierStats stats_{};
  bool valid_ = false;
};

}  // namespace corokit::net
