// The client side of a NIC's queues (PROTOCOLS.md §4): Rx active in, Rx free out, Tx free in, Tx
// active out, each an sDDF net_queue in shared memory, with the client's Rx and Tx data regions.
// Platform-neutral and freestanding: the network stack (NetStack.h) and in-process tests drive it;
// signals to the peers are returned to the caller, which sends them at the end of its turn.
//
// Everything read from shared memory is validated (§1.5.9): an Rx descriptor must name a buffer of
// the Rx region that the client handed out and carry 14 <= len <= 2048; a Tx free descriptor must
// name a Tx buffer the client does not hold. Bad descriptors are dropped and counted (an Rx one
// whose buffer is valid goes back to the free queue), never trusted.
#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/net/BufferSet.h"
#include "sdk/protocol/Queues.h"

namespace corokit::net {

struct ClientQueueConfig {
  net_queue* rx_free = nullptr;
  net_queue* rx_active = nullptr;
  std::uint16_t rx_capacity = 0;
  net_queue* tx_free = nullptr;
  net_queue* tx_active = nullptr;
  std::uint16_t tx_capacity = 0;
  std::uint8_t* rx_data = nullptr;  // may be mapped read-only (trusted client without a copier)
  std::size_t rx_data_size = 0;
  std::uint8_t* tx_data = nullptr;
  std::size_t tx_data_size = 0;
};

struct ClientQueueStats {
  std::uint64_t rx_frames = 0;
  std::uint64_t tx_frames = 0;
  std::uint64_t rx_bad_descriptors = 0;
  std::uint64_t tx_bad_descriptors = 0;
  std::uint64_t index_violations = 0;
};

class ClientQueues {
 public:
  // `config` must describe valid, mapped queues (capacities are powers of two).
  explicit ClientQueues(const ClientQueueConfig& config) noexcept;

  bool valid() const noexcept { return valid_; }

  struct Frame {
    std::uint64_t offset = 0;  // the buffer's offset in the Rx region: give it back with release_rx
    std::uint16_t len = 0;
    std::uint8_t* data = nullptr;
  };
  // The next received frame, validated; false when none is ready.
  bool receive(Frame& out) noexcept;
  // Returns an Rx buffer (from receive()) to the free queue; published by flush().
  void release_rx(std::uint64_t offset) noexcept;

  // A free Tx buffer, or nullptr (the offset identifies it for submit_tx).
  std::uint8_t* acquire_tx(std::uint64_t& offset) noexcept;
  // Queues a filled Tx buffer (14 <= len <= 2048) for transmission; published by flush().
  void submit_tx(std::uint64_t offset, std::uint16_t len) noexcept;
  // Gives an acquired Tx buffer back unused.
  void cancel_tx(std::uint64_t offset) noexcept;

  struct Signals {
    bool rx = false;  // notify the Rx peer (copier or Rx virtualiser): Rx free got buffers
    bool tx = false;  // notify the Tx virtualiser: Tx active got frames
  };
  // Publishes both producer queues and both consumer heads (one release store each, per batch) and
  // says which peers must be notified (PROTOCOLS.md §1.4, notifier side).
  Signals flush() noexcept;
  // The waiter side before the client sleeps: asks for a notification on Rx active (and on Tx free
  // when `want_tx` — the stack has output waiting for a buffer). True when work arrived meanwhile:
  // process again instead of sleeping.
  bool prepare_wait(bool want_tx) noexcept;

  bool rx_pending() noexcept { return rx_active_.available() != 0; }
  std::uint32_t tx_buffers_held() const noexcept { return tx_held_.size(); }
  std::uint32_t rx_buffers_held() const noexcept { return rx_held_.size(); }
  std::uint32_t rx_buffer_count() const noexcept { return rx_range_.count; }
  std::uint32_t tx_buffer_count() const noexcept { return tx_range_.count; }
  bool rx_writable() const noexcept { return rx_writable_; }
  void set_rx_writable(bool writable) noexcept { rx_writable_ = writable; }
  ClientQueueStats stats() const noexcept;

 private:
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> rx_active_;
  protocol::QueueProducer<net_buff_desc, std::uint16_t> rx_free_;
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> tx_free_;
  protocol::QueueProducer<net_buff_desc, std::uint16_t> tx_active_;
  net_queue* rx_active_q_ = nullptr;
  net_queue* tx_free_q_ = nullptr;
  net_queue* rx_free_q_ = nullptr;
  net_queue* tx_active_q_ = nullptr;
  std::uint8_t* rx_data_ = nullptr;
  std::uint8_t* tx_data_ = nullptr;
  BufferRange rx_range_;
  BufferRange tx_range_;
  BufferSet rx_held_;     // Rx buffers the client holds (received, not yet released)
  BufferSet tx_held_;     // Tx buffers the client holds (taken from Tx free, not yet submitted)
  static constexpr unsigned kSpares = 8;
  std::uint64_t spare_tx_[kSpares] = {};  // acquired, then given back unused: reused first
  unsigned spare_count_ = 0;
  bool valid_ = false;
  bool rx_writable_ = true;
  ClientQueueStats stats_{};
};

}  // namespace corokit::net
