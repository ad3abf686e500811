// The Tx virtualiser's logic (PROTOCOLS.md §4.8): validates every frame a client submits (length,
// alignment and range of the offset, oid, ownership, and optionally the source MAC), translates
// the offset into an I/O address of the client's Tx region, and forwards it to the driver; buffers
// the driver returns go back to the client they belong to (found by range-checking the address).
// Clients are served round-robin from a rotating start with a per-pass budget, so one client
// cannot starve the others. A rejected buffer the client held goes back to it with len = 0.
#pragma once

#include <cstdint>

#include "executor/net/BufferSet.h"
#include "executor/net/NetConfig.h"
#include "pds/net/NetLinks.h"
#include "pds/net/PeerHealth.h"

namespace corokit::net {

struct TxVirtualiserConfig {
  QueueConfig driver_active;  // we produce: frames (I/O addresses)
  QueueConfig driver_free;    // we consume: transmitted buffers
  unsigned client_count = 0;
  struct Client {
    QueueConfig active;       // we consume: frames (offsets into the client's Tx region)
    QueueConfig free;         // we produce: buffers back to the client
    DataRegion data;          // the client's Tx region, read-only here
    std::uint64_t io_base = 0;
    MacAddress mac;
    bool anti_spoofing = true;
    std::uint32_t budget = 0;  // frames per pass (0: the queue's capacity)
  } clients[kMaxClients];
};

struct TxVirtualiserStats {
  std::uint64_t frames = 0;
  std::uint64_t rejected = 0;
  std::uint64_t spoofed = 0;
  std::uint64_t driver_errors = 0;
};

class TxVirtualiser {
 public:
  static constexpr std::uint32_t kDriverBit = 1u << 31;

  explicit TxVirtualiser(const TxVirtualiserConfig& config) noexcept;
  bool valid() const noexcept { return valid_; }

  struct Pass {
    std::uint32_t notify = 0;
    bool more = false;
  };
  Pass pass() noexcept;

  const TxVirtualiserStats& stats() const noexcept { return stats_; }
  const PeerHealth& client_health(unsigned i) const noexcept { return clients_[i].health; }
  // Buffers of client i that are not with the driver (held by the client or in its queues).
  std::uint32_t client_owns(unsigned i) const noexcept { return clients_[i].with_client.size(); }
  std::uint64_t client_frames(unsigned i) const noexcept { return clients_[i].frames; }

 private:
  struct ClientState {
    NetConsumer active;
    NetProducer free;
    net_queue* active_q = nullptr;
    net_queue* free_q = nullptr;
    BufferRange range;         // offsets into the client's region
    BufferSet with_client;     // buffers not with the driver
    PeerHealth health;
    std::uint32_t violations_seen = 0;
    std::uint64_t frames = 0;
  };

  void serve(unsigned index, bool& more) noexcept;
  void take_completions(bool& more) noexcept;

  TxVirtualiserConfig config_;
  NetProducer driver_active_;
  NetConsumer driver_free_;
  ClientState clients_[kMaxClients];
  unsigned client_count_ = 0;
  unsigned next_client_ = 0;
  std::uint32_t driver_violations_seen_ = 0;
  TxVirtualiserStats stats_{};
  bool valid_ = false;
};

}  // namespace corokit::net
