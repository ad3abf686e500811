// Test support: the shared memory of one network client (its four queues and its Rx and Tx data
// regions) in a MAP_SHARED mapping, so it survives fork(), populated as the system would populate
// it (PROTOCOLS.md §4.4: every Rx and Tx buffer starts in its free queue); and a Wire that moves
// frames from one client's Tx to another client's Rx, as the virtualisers and a copier would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/mman.h>

#include "executor/net/ClientQueues.h"
#include "sdk/protocol/Queues.h"

namespace corokit::testing {

struct ClientMemory {
  static constexpr std::uint16_t kCapacity = 512;
  static constexpr std::size_t kQueueBytes = 16384;
  static constexpr std::size_t kDataBytes = std::size_t{kCapacity} * 2048;

  std::uint8_t* base = nullptr;
  std::size_t size = 0;

  ClientMemory() {
    size = 4 * kQueueBytes + 2 * kDataBytes;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    base = static_cast<std::uint8_t*>(p);
    for (net_queue* free : {rx_free(), tx_free()}) {
      for (std::uint16_t i = 0; i < kCapacity; ++i) free->slots[i] = net_buff_desc{std::uint64_t{i} * 2048, 0, 0};
      free->tail = kCapacity;
    }
  }
  ~ClientMemory() { munmap(base, size); }
  ClientMemory(const ClientMemory&) = delete;

  net_queue* queue(unsigned i) const { return reinterpret_cast<net_queue*>(base + i * kQueueBytes); }
  net_queue* rx_free() const { return queue(0); }
  net_queue* rx_active() const { return queue(1); }
  net_queue* tx_free() const { return queue(2); }
  net_queue* tx_active() const { return queue(3); }
  std::uint8_t* rx_data() const { return base + 4 * kQueueBytes; }
  std::uint8_t* tx_data() const { return rx_data() + kDataBytes; }

  net::ClientQueueConfig config() const {
    net::ClientQueueConfig c;
    c.rx_free = rx_free();
    c.rx_active = rx_active();
    c.rx_capacity = kCapacity;
    c.tx_free = tx_free();
    c.tx_active = tx_active();
    c.tx_capacity = kCapacity;
    c.rx_data = rx_data();
    c.rx_data_size = kDataBytes;
    c.tx_data = tx_data();
    c.tx_data_size = kDataBytes;
    return c;
  }
};

// Moves frames from `from`'s Tx active queue into buffers of `to`'s Rx free queue (one copy), and
// gives `from`'s Tx buffers back. Owns the far ends of those four queues; polling, no signals.
class Wire {
 public:
  Wire(ClientMemory& from, ClientMemory& to)
      : from_(from), to_(to),
        tx_active_(protocol::net_queue_region(from.tx_active(), ClientMemory::kCapacity)),
        tx_free_(protocol::net_queue_region(from.tx_free(), ClientMemory::kCapacity)),
        rx_free_(protocol::net_queue_region(to.rx_free(), ClientMemory::kCapacity)),
        rx_active_(protocol::net_queue_region(to.rx_active(), ClientMemory::kCapacity)) {}

  // Drop every n-th frame (0: none), to exercise retransmission.
  void drop_every(unsigned n) { drop_every_ = n; }

  // Returns the number of frames moved.
  unsigned pass() {
    unsigned moved = 0;
    net_buff_desc tx;
    while (tx_active_.pop(tx)) {
      net_buff_desc rx;
      const bool drop = drop_every_ != 0 && ++count_ % drop_every_ == 0;
      if (!drop && rx_free_.pop(rx)) {
        __builtin_memcpy(to_.rx_data() + rx.io_or_offset, from_.tx_data() + tx.io_or_offset, tx.len);
        rx.len = tx.len;
        rx_active_.push(rx);
        ++moved;
      }
      tx_free_.push(net_buff_desc{tx.io_or_offset, 0, 0});
    }
    tx_active_.commit();
    rx_free_.commit();
    tx_free_.publish();
    rx_active_.publish();
    return moved;
  }

 private:
  ClientMemory& from_;
  ClientMemory& to_;
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> tx_active_;
  protocol::QueueProducer<net_buff_desc, std::uint16_t> tx_free_;
  protocol::QueueConsumer<net_buff_desc, std::uint16_t> rx_free_;
  protocol::QueueProducer<net_buff_desc, std::uint16_t> rx_active_;
  unsigned drop_every_ = 0;
  unsigned count_ = 0;
};

}  // namespace corokit::testing
