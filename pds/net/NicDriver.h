// The host NIC driver's logic (PROTOCOLS.md §4.5, §4.9), independent of the PD: Tx completions and
// transmissions first, then reception into free Rx buffers, one frame per read() of the backend's
// descriptor (whose return value is the exact length). It reads only when it has a free buffer,
// and otherwise leaves frames to the host and asks the Rx virtualiser for a notification. Every
// descriptor from the virtualisers is translated and bounds-checked against its region (I/O
// address to this PD's mapping); the IRQ is acknowledged once the backend is drained, so a frame
// left behind re-raises it.
#pragma once

#include <cstdint>

#include "executor/net/BufferSet.h"
#include "executor/net/NetConfig.h"
#include "pds/net/NetLinks.h"

namespace corokit::net {

// The backend as the driver sees it: one frame per call; negative on "nothing now" or an error.
class FrameIo {
 public:
  virtual long read_frame(std::uint8_t* buffer, std::size_t capacity) noexcept = 0;
  virtual long write_frame(const std::uint8_t* frame, std::size_t len) noexcept = 0;

 protected:
  ~FrameIo() = default;
};

struct NicDriverConfig {
  QueueConfig rx_free;    // we consume: empty Rx buffers (I/O addresses)
  QueueConfig rx_active;  // we produce: received frames
  QueueConfig tx_active;  // we consume: frames to send (I/O addresses)
  QueueConfig tx_free;    // we produce: sent buffers
  DataRegion rx_dma;
  std::uint64_t rx_io = 0;
  unsigned tx_region_count = 0;
  struct TxRegion {
    DataRegion data;
    std::uint64_t io = 0;
  } tx[kMaxClients];
  std::uint16_t max_tx_frame = 1518;  // MTU + Ethernet header + a VLAN tag
};

struct NicDriverStats {
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_dropped = 0;     // shorter than 14 bytes
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_dropped = 0;     // too long, or the backend refused it
  std::uint64_t bad_descriptors = 0;
  std::uint64_t out_of_buffers = 0; // passes that stopped for want of an Rx buffer
};

class NicDriver {
 public:
  static constexpr std::uint32_t kNotifyRxVirt = 1;
  static constexpr std::uint32_t kNotifyTxVirt = 2;

  explicit NicDriver(const NicDriverConfig& config) noexcept;
  bool valid() const noexcept { return valid_; }

  struct Pass {
    std::uint32_t notify = 0;
    bool ack_irq = false;  // the backend is drained
    bool more = false;
  };
  Pass pass(FrameIo& io) noexcept;
  const NicDriverStats& stats() const noexcept { return stats_; }

 private:
  const std::uint8_t* tx_frame(std::uint64_t io, std::uint16_t len) const noexcept;

  NicDriverConfig config_;
  NetConsumer rx_free_;
  NetProducer rx_active_;
  NetConsumer tx_active_;
  NetProducer tx_free_;
  BufferRange rx_range_;
  BufferSet rx_held_;         // Rx buffers taken from the free queue in this pass (and the spare)
  std::int64_t spare_ = -1;   // a taken buffer a read() did not fill
  NicDriverStats stats_{};
  bool valid_ = false;
};

}  // namespace corokit::net
