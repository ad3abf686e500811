// The block virtualiser's request handling (PROTOCOLS.md §3.4–§3.7, §1.5), independent of the PD
// runtime so tests and the fuzzer drive it in-process with arbitrary shared-memory contents.
//
// One driver queue pair, up to kMaxClients client queue pairs. Each client is confined to one
// partition (or the whole device) and to its own data region: every request is snapshotted once,
// validated field by field and either rejected on the client's own response queue
// (ERR_INVALID_PARAM) or translated (offset → I/O address of the client's data region, block →
// block + partition start) and forwarded under a driver id from the virtualiser's allocator. Driver
// responses are routed back through that id table, in the order the driver published them.
//
// In-flight limits: a client request is dequeued only with a response slot reserved for it on the
// client's response queue, a free driver id and a driver request slot, so no response enqueue can
// fail and a client never has more requests in flight than its response queue holds. BARRIER is
// handled per client and never forwarded; FLUSH is forwarded as a device FLUSH. Service is
// round-robin from a rotating start with a per-client budget of its capacity per poll.
//
// Freestanding: no heap (tables are sized by kMaxClients and kMaxDriverCapacity), no libc.
#pragma once

#include <cstdint>

#include "sdk/protocol/BlockQueues.h"

namespace corokit::block {

inline constexpr uint32_t kMaxClients = 16;
inline constexpr uint32_t kMaxDriverCapacity = 4096;
inline constexpr uint32_t kDefaultErrorThreshold = 64;  // descriptor errors before quarantine (§1.5.7)

// A client's regions as the virtualiser maps them (addresses from setvars, sizes from setvar_size).
struct VirtClientRegions {
  blk_storage_info* info = nullptr;
  void* requests = nullptr;
  uint64_t request_bytes = 0;
  void* responses = nullptr;
  uint64_t response_bytes = 0;
  uint64_t data_bytes = 0;  // the client's data region
  uint64_t data_io = 0;     // its I/O address (the driver's DMA view)
};

struct VirtDriverRegions {
  const blk_storage_info* info = nullptr;
  void* requests = nullptr;
  uint64_t request_bytes = 0;
  void* responses = nullptr;
  uint64_t response_bytes = 0;
};

// What a client is served once the partition table is known.
struct ClientGeometry {
  bool present = false;   // false: every request gets ERR_NO_DEVICE
  uint64_t first_block = 0;  // on the device, in 4096-byte units
  uint64_t blocks = 0;
  bool read_only = false;
};

// Why a peer was quarantined (it is no longer served).
enum class Misbehaviour : uint8_t { None, RequestIndex, ResponseIndex, TooManyErrors, UnknownId };
const char* describe(Misbehaviour m);

struct ClientCounters {
  uint64_t requests = 0;   // dequeued
  uint64_t invalid = 0;    // answered ERR_INVALID_PARAM without forwarding (descriptor errors)
  uint64_t no_device = 0;  // answered ERR_NO_DEVICE (no partition, or the driver is quarantined)
  uint64_t dropped = 0;    // responses that could not be enqueued (the client corrupted its queue)
  Misbehaviour quarantined = Misbehaviour::None;
};

struct DriverCounters {
  uint64_t forwarded = 0;
  uint64_t bad_responses = 0;  // unknown or duplicate ids
  Misbehaviour quarantined = Misbehaviour::None;
};

// What one poll did: who to notify (once each, at the end of the turn) and whether work is left.
struct PollResult {
  uint32_t notify_clients = 0;    // bit c: client c got responses
  bool notify_driver = false;     // requests were forwarded
  bool more = false;              // a client's budget ran out with requests left: poll again
  bool internal_done = false;     // an internal read completed (see submit_internal)
  uint32_t newly_quarantined = 0; // bit c: client c was quarantined by this poll
  bool driver_quarantined = false;
};

class VirtCore {
 public:
  explicit VirtCore(uint32_t error_threshold = kDefaultErrorThreshold) noexcept : error_threshold_(error_threshold) {}
  VirtCore(const VirtCore&) = delete;
  VirtCore& operator=(const VirtCore&) = delete;

  // Set-up. False (nothing changed) when a capacity is 0 or above the limits, or too many clients.
  bool attach_driver(const VirtDriverRegions& regions) noexcept;
  bool add_client(const VirtClientRegions& regions) noexcept;

  uint32_t client_count() const noexcept { return client_count_; }
  uint32_t client_capacity(uint32_t c) const noexcept { return clients_[c].capacity; }
  uint32_t driver_capacity() const noexcept { return driver_capacity_; }

  // Starts serving client `c` with `geometry`: fills its storage info from the driver's (capacity,
  // read-only, sector and block size, queue depth, `serial` ± partition suffix) and publishes it.
  // The caller notifies the client.
  void start_client(uint32_t c, const ClientGeometry& geometry, const char* serial) noexcept;

  // Handles driver responses, then every served client's requests. The caller sends the
  // notifications the result asks for.
  PollResult poll() noexcept;

  // The virtualiser's own reads (partition tables) into its metadata region at I/O address
  // `io`. False when no driver id or slot is free now (retry after a poll). Completion is reported
  // by poll() (internal_done), then internal_result() holds the status.
  bool submit_internal(uint64_t block, uint16_t count, uint64_t io) noexcept;
  bool internal_pending() const noexcept { return internal_pending_; }
  uint32_t internal_status() const noexcept { return internal_status_; }

  const ClientCounters& client_counters(uint32_t c) const noexcept { return clients_[c].counters; }
  const DriverCounters& driver_counters() const noexcept { return driver_counters_; }
  uint32_t inflight(uint32_t c) const noexcept { return clients_[c].inflight; }

 private:
  static constexpr uint16_t kInternal = 0xffff;

  struct Client {
    protocol::BlockServerEnd end;
    blk_storage_info* info = nullptr;
    uint32_t capacity = 0;
    uint64_t data_bytes = 0;
    uint64_t data_io = 0;
    ClientGeometry geometry;
    bool serving = false;
    uint32_t inflight = 0;    // dequeued, response not yet enqueued (forwarded + held barrier)
    uint32_t forwarded = 0;   // at the driver
    bool barrier = false;     // a BARRIER waits for `forwarded` to drain
    uint32_t barrier_id = 0;
    ClientCounters counters;
  };
  // A forwarded request; its driver id is (generation << 16) | index, so a stale or duplicated
  // driver response is recognised.
  struct Route {
    uint16_t owner = 0;  // client index or kInternal
    uint16_t generation = 0;
    uint16_t count = 0;
    bool in_use = false;
    uint32_t client_id = 0;
  };

  void drain_driver(PollResult& result) noexcept;
  bool serve_client(uint32_t c, PollResult& result) noexcept;  // true: budget ran out with work left
  void respond(uint32_t c, uint32_t status, uint16_t success_count, uint32_t id, PollResult& result) noexcept;
  void reject(uint32_t c, uint32_t status, uint32_t id, PollResult& result) noexcept;
  void handle(uint32_t c, const blk_req& req, PollResult& result) noexcept;
  void complete(const Route& route, uint32_t status, uint16_t success_count, PollResult& result) noexcept;
  bool forward(uint16_t owner, uint32_t client_id, uint32_t code, uint64_t io, uint64_t block, uint16_t count) noexcept;
  void quarantine(uint32_t c, Misbehaviour why, PollResult& result) noexcept;
  void quarantine_driver(Misbehaviour why, PollResult& result) noexcept;

  uint32_t error_threshold_;
  Client clients_[kMaxClients];
  uint32_t client_count_ = 0;
  uint32_t next_start_ = 0;  // round-robin start

  protocol::BlockClientEnd driver_;
  const blk_storage_info* driver_info_ = nullptr;
  bool driver_attached_ = false;
  uint32_t driver_capacity_ = 0;
  uint32_t driver_space_ = 0;  // driver request slots known free this poll
  Route routes_[kMaxDriverCapacity];
  uint16_t free_ids_[kMaxDriverCapacity];
  uint32_t free_count_ = 0;
  DriverCounters driver_counters_;

  bool internal_pending_ = false;
  uint32_t internal_status_ = 0;
};

}  // namespace corokit::block
