// The Rx virtualiser's logic (PROTOCOLS.md §4.6), independent of the PD around it so tests and the
// fuzzer drive it in-process: frames from the driver's Rx active queue are demultiplexed by
// destination MAC onto the clients' (or copiers') Rx active queues; unicast to the owner of the
// address, broadcast to every client, multicast to every client that joined the group or takes
// all multicast, anything else straight back to the driver. Buffers are reference-counted (one
// byte each, private) and each client may return only buffers it holds (a bitmap per client); at
// count 0 a buffer goes back to the driver's Rx free queue.
//
// Descriptors towards clients carry offsets into the Rx DMA region; towards the driver, I/O
// addresses (the region's I/O base plus the offset).
#pragma once

#include <cstdint>

#include "executor/net/BufferSet.h"
#include "executor/net/NetConfig.h"
#include "pds/net/NetLinks.h"
#include "pds/net/PeerHealth.h"

namespace corokit::net {

struct RxVirtualiserConfig {
  QueueConfig driver_free;    // we produce: empty buffers for the driver (I/O addresses)
  QueueConfig driver_active;  // we consume: received frames
  DataRegion dma;             // the Rx DMA region, read-only here
  std::uint64_t dma_io_base = 0;
  unsigned client_count = 0;
  struct Client {
    QueueConfig active;  // we produce: frames for the client
    QueueConfig free;    // we consume: buffers the client is done with
    MacAddress mac;
    bool all_multicast = false;
    unsigned group_count = 0;
    MacAddress groups[kMaxGroups];
  } clients[kMaxClients];
};

struct RxVirtualiserStats {
  std::uint64_t frames = 0;         // frames taken from the driver
  std::uint64_t delivered = 0;      // deliveries to clients (a broadcast counts once per client)
  std::uint64_t unmatched = 0;      // frames no client wanted
  std::uint64_t driver_errors = 0;  // bad descriptors from the driver
};

class RxVirtualiser {
 public:
  // Peers to notify after a pass: bit i for client i, kDriverBit for the driver.
  static constexpr std::uint32_t kDriverBit = 1u << 31;

  explicit RxVirtualiser(const RxVirtualiserConfig& config) noexcept;
  bool valid() const noexcept { return valid_; }

  struct Pass {
    std::uint32_t notify = 0;
    bool more = false;  // a budget ran out: run another pass before sleeping
  };
  // One pass: client returns first (they free buffers for the driver), then the driver's frames;
  // then publishes and, when idle, runs the waiter sequence on every queue it consumes.
  Pass pass() noexcept;

  const RxVirtualiserStats& stats() const noexcept { return stats_; }
  const PeerHealth& client_health(unsigned i) const noexcept { return clients_[i].health; }
  std::uint32_t client_holds(unsigned i) const noexcept { return clients_[i].held.size(); }
  std::uint8_t refcount(std::uint32_t buffer) const noexcept { return refcount_[buffer]; }
  std::uint32_t buffers() const noexcept { return dma_.count; }
  // Buffers the driver holds (given to it, not yet returned with a frame).
  std::uint32_t driver_holds() const noexcept { return with_driver_.size(); }

 private:
  struct ClientState {
    NetProducer active;
    NetConsumer free;
    net_queue* active_q = nullptr;
    net_queue* free_q = nullptr;
    BufferSet held;
    PeerHealth health;
    std::uint32_t free_violations_seen = 0;
  };

  void take_returns(ClientState& c, bool& more) noexcept;
  void take_frames(bool& more) noexcept;
  void deliver(unsigned client, std::uint32_t buffer, std::uint16_t len) noexcept;
  void unref(std::uint32_t buffer) noexcept;
  void give_to_driver(std::uint32_t buffer) noexcept;
  void quarantine(ClientState& c) noexcept;

  RxVirtualiserConfig config_;
  NetProducer driver_free_;
  NetConsumer driver_active_;
  BufferRange dma_;
  BufferSet with_driver_;
  std::uint8_t refcount_[kMaxBuffers] = {};
  ClientState clients_[kMaxClients];
  unsigned client_count_ = 0;
  unsigned next_client_ = 0;
  std::uint32_t driver_violations_seen_ = 0;
  RxVirtualiserStats stats_{};
  bool valid_ = false;
};

}  // namespace corokit::net
