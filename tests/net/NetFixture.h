// Test and benchmark support: a complete network device stack in one process — a fake driver, the
// Rx and Tx virtualisers, a copier per untrusted client, and each client's queues (ClientQueues) —
// over heap memory, populated as the system populates it (PROTOCOLS.md §4.4). Used by tests/net,
// tests/fuzz/fuzz_net_virt and bench/net.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "executor/net/ClientQueues.h"
#include "pds/net/Copier.h"
#include "pds/net/NicDriver.h"
#include "pds/net/RxVirtualiser.h"
#include "pds/net/TxVirtualiser.h"

namespace corokit::testing {

class NetFixture {
 public:
  static constexpr std::uint64_t kDmaIoBase = 0x4000'0000;
  static constexpr std::uint64_t kTxIoBase = 0x5000'0000;  // client i at kTxIoBase + i * 0x100'0000

  struct Options {
    unsigned clients = 2;
    std::vector<bool> copier = {true, true};  // per client: behind a copier (else trusted)
    std::uint16_t buffers = 128;              // Rx DMA buffers, and each client's Rx and Tx buffers
    bool anti_spoofing = true;
    std::vector<bool> all_multicast;          // per client
    std::vector<net::MacAddress> group;       // per client: one joined multicast group (or zero)
    std::uint32_t tx_budget = 0;              // Tx frames per client per round (0: capacity)
  };

  struct Queue {
    std::vector<std::uint8_t> bytes;
    explicit Queue(std::uint16_t cap) : bytes(NET_QUEUE_BYTES(cap) + 64, 0) {}
    net_queue* q() { return reinterpret_cast<net_queue*>(bytes.data()); }
  };
  struct Region {
    std::vector<std::uint8_t> bytes;
    explicit Region(std::size_t n) : bytes(n, 0) {}
    std::uint8_t* data() { return bytes.data(); }
  };

  struct Client {
    bool copier = false;
    Queue rx_free, rx_active, tx_free, tx_active;  // the client's own queues
    Queue virt_active, virt_free;                  // virtualiser <-> copier (copier clients)
    Region rx_data, tx_data;
    net::MacAddress mac;
    std::unique_ptr<net::Copier> copier_logic;
    std::unique_ptr<net::ClientQueues> queues;
    Client(std::uint16_t cap, std::size_t bytes)
        : rx_free(cap), rx_active(cap), tx_free(cap), tx_active(cap), virt_active(cap), virt_free(cap),
          rx_data(bytes), tx_data(bytes) {}
  };

  explicit NetFixture(const Options& o) : options_(o), dma_(std::size_t{o.buffers} * 2048) {
    const std::uint16_t cap = o.buffers;
    driver_rx_free_ = std::make_unique<Queue>(cap);
    driver_rx_active_ = std::make_unique<Queue>(cap);
    const std::uint16_t tx_cap = static_cast<std::uint16_t>(round_pow2(std::uint32_t{cap} * o.clients));
    driver_tx_free_ = std::make_unique<Queue>(tx_cap);
    driver_tx_active_ = std::make_unique<Queue>(tx_cap);
    tx_cap_ = tx_cap;
    fill(driver_rx_free_->q(), cap, kDmaIoBase);

    net::RxVirtualiserConfig rx;
    rx.driver_free = {driver_rx_free_->q(), cap};
    rx.driver_active = {driver_rx_active_->q(), cap};
    rx.dma = {dma_.data(), dma_.bytes.size()};
    rx.dma_io_base = kDmaIoBase;
    rx.client_count = o.clients;
    net::TxVirtualiserConfig tx;
    tx.driver_active = {driver_tx_active_->q(), tx_cap};
    tx.driver_free = {driver_tx_free_->q(), tx_cap};
    tx.client_count = o.clients;
    for (unsigned i = 0; i < o.clients; ++i) {
      auto c = std::make_unique<Client>(cap, std::size_t{cap} * 2048);
      c->copier = i < o.copier.size() && o.copier[i];
      c->mac = net::MacAddress{{0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(0x10 + i)}};
      fill(c->tx_free.q(), cap, 0);
      if (c->copier) {
        fill(c->rx_free.q(), cap, 0);
        rx.clients[i].active = {c->virt_active.q(), cap};
        rx.clients[i].free = {c->virt_free.q(), cap};
        net::CopierConfig cc;
        cc.virt_active = {c->virt_active.q(), cap};
        cc.virt_free = {c->virt_free.q(), cap};
        cc.client_active = {c->rx_active.q(), cap};
        cc.client_free = {c->rx_free.q(), cap};
        cc.dma = {dma_.data(), dma_.bytes.size()};
        cc.client = {c->rx_data.data(), c->rx_data.bytes.size()};
        c->copier_logic = std::make_unique<net::Copier>(cc);
      } else {
        rx.clients[i].active = {c->rx_active.q(), cap};
        rx.clients[i].free = {c->rx_free.q(), cap};
      }
      rx.clients[i].mac = c->mac;
      rx.clients[i].all_multicast = i < o.all_multicast.size() && o.all_multicast[i];
      if (i < o.group.size() && o.group[i].is_multicast()) {
        rx.clients[i].groups[0] = o.group[i];
        rx.clients[i].group_count = 1;
      }
      tx.clients[i].budget = o.tx_budget;
      tx.clients[i].active = {c->tx_active.q(), cap};
      tx.clients[i].free = {c->tx_free.q(), cap};
      tx.clients[i].data = {c->tx_data.data(), c->tx_data.bytes.size()};
      tx.clients[i].io_base = kTxIoBase + i * 0x100'0000ull;
      tx.clients[i].mac = c->mac;
      tx.clients[i].anti_spoofing = o.anti_spoofing;
      net::ClientQueueConfig q;
      q.rx_free = c->rx_free.q();
      q.rx_active = c->rx_active.q();
      q.rx_capacity = cap;
      q.tx_free = c->tx_free.q();
      q.tx_active = c->tx_active.q();
      q.tx_capacity = cap;
      q.rx_data = c->copier ? c->rx_data.data() : dma_.data();
      q.rx_data_size = cap * 2048u;
      q.tx_data = c->tx_data.data();
      q.tx_data_size = cap * 2048u;
      c->queues = std::make_unique<net::ClientQueues>(q);
      c->queues->set_rx_writable(c->copier);
      clients_.push_back(std::move(c));
    }
    rx_config_ = rx;
    tx_config_ = tx;
    rx_virt_ = std::make_unique<net::RxVirtualiser>(rx);
    tx_virt_ = std::make_unique<net::TxVirtualiser>(tx);
    driver_rx_free_c_ = net::NetConsumer(protocol::net_queue_region(driver_rx_free_->q(), cap));
    driver_rx_active_p_ = net::NetProducer(protocol::net_queue_region(driver_rx_active_->q(), cap));
    driver_tx_active_c_ = net::NetConsumer(protocol::net_queue_region(driver_tx_active_->q(), tx_cap));
    driver_tx_free_p_ = net::NetProducer(protocol::net_queue_region(driver_tx_free_->q(), tx_cap));
  }

  bool valid() const {
    bool ok = rx_virt_->valid() && tx_virt_->valid();
    for (const auto& c : clients_) ok = ok && c->queues->valid() && (!c->copier || c->copier_logic->valid());
    return ok;
  }

  // The fake driver: a frame arrives (false when the driver has no free buffer).
  bool inject(const std::uint8_t* frame, std::uint16_t len) {
    net_buff_desc d;
    if (!driver_rx_free_c_.pop(d)) return false;
    driver_rx_free_c_.commit();
    std::memcpy(dma_.data() + (d.io_or_offset - kDmaIoBase), frame, len);
    driver_rx_active_p_.push(net_buff_desc{d.io_or_offset, len, 0});
    driver_rx_active_p_.publish();
    ++injected_;
    return true;
  }
  // The configuration of the real driver logic (pds/net/NicDriver.h) on the driver's queues, for
  // use instead of inject() and transmit() (not mixed with them: each keeps its own indices).
  net::NicDriverConfig driver_config() {
    net::NicDriverConfig c;
    c.rx_free = {driver_rx_free_->q(), options_.buffers};
    c.rx_active = {driver_rx_active_->q(), options_.buffers};
    c.tx_active = {driver_tx_active_->q(), tx_cap_};
    c.tx_free = {driver_tx_free_->q(), tx_cap_};
    c.rx_dma = {dma_.data(), dma_.bytes.size()};
    c.rx_io = kDmaIoBase;
    c.tx_region_count = options_.clients;
    for (unsigned i = 0; i < options_.clients; ++i) {
      c.tx[i] = {{clients_[i]->tx_data.data(), clients_[i]->tx_data.bytes.size()}, kTxIoBase + i * 0x100'0000ull};
    }
    return c;
  }

  // The fake driver transmits everything queued; returns the frames.
  std::vector<std::vector<std::uint8_t>> transmit() {
    std::vector<std::vector<std::uint8_t>> out;
    net_buff_desc d;
    while (driver_tx_active_c_.pop(d)) {
      const unsigned client = static_cast<unsigned>((d.io_or_offset - kTxIoBase) / 0x100'0000);
      const std::uint64_t offset = (d.io_or_offset - kTxIoBase) % 0x100'0000;
      const std::uint8_t* p = clients_[client]->tx_data.data() + offset;
      out.emplace_back(p, p + d.len);
      driver_tx_free_p_.push(net_buff_desc{d.io_or_offset, 0, 0});
    }
    driver_tx_active_c_.commit();
    driver_tx_free_p_.publish();
    return out;
  }

  // Runs every component until nothing moves; counts the notifications they asked for.
  void run() {
    for (int round = 0; round < 64; ++round) {
      bool more = false;
      auto rx = rx_virt_->pass();
      notifications_ += popcount(rx.notify);
      more |= rx.more || rx.notify != 0;
      for (auto& c : clients_) {
        if (!c->copier) continue;
        auto p = c->copier_logic->pass();
        notifications_ += popcount(p.notify);
        more |= p.more || p.notify != 0;
      }
      auto tx = tx_virt_->pass();
      notifications_ += popcount(tx.notify);
      more |= tx.more || tx.notify != 0;
      if (!more) break;
    }
  }

  Client& client(unsigned i) { return *clients_[i]; }
  net::RxVirtualiser& rx_virt() { return *rx_virt_; }
  net::TxVirtualiser& tx_virt() { return *tx_virt_; }
  std::uint8_t* dma() { return dma_.data(); }
  net_queue* driver_rx_free() { return driver_rx_free_->q(); }
  std::uint64_t notifications() const { return notifications_; }
  std::uint16_t buffers() const { return options_.buffers; }
  // Driver Rx buffers: in its free queue (not yet used) — for conservation checks.
  std::uint32_t driver_free_buffers() { return driver_rx_free_c_.available(); }

  // A frame from `src` to `dst` with `len` bytes, filled with a pattern from `seed`.
  static std::vector<std::uint8_t> frame(const net::MacAddress& dst, const net::MacAddress& src, std::uint16_t len,
                                         std::uint32_t seed) {
    std::vector<std::uint8_t> f(len);
    std::memcpy(f.data(), dst.bytes, 6);
    std::memcpy(f.data() + 6, src.bytes, 6);
    for (std::size_t i = 12; i < len; ++i) f[i] = static_cast<std::uint8_t>(seed * 7 + i * 13);
    return f;
  }

 private:
  static unsigned popcount(std::uint32_t v) { return static_cast<unsigned>(__builtin_popcount(v)); }
  static std::uint32_t round_pow2(std::uint32_t v) {
    std::uint32_t p = 1;
    while (p < v) p <<= 1;
    return p;
  }
  static void fill(net_queue* q, std::uint16_t n, std::uint64_t base) {
    for (std::uint16_t i = 0; i < n; ++i) q->slots[i] = net_buff_desc{base + std::uint64_t{i} * 2048, 0, 0};
    q->tail = n;
  }

  Options options_;
  Region dma_;
  std::unique_ptr<Queue> driver_rx_free_, driver_rx_active_, driver_tx_free_, driver_tx_active_;
  std::uint16_t tx_cap_ = 0;
  std::vector<std::unique_ptr<Client>> clients_;
  net::RxVirtualiserConfig rx_config_;
  net::TxVirtualiserConfig tx_config_;
  std::unique_ptr<net::RxVirtualiser> rx_virt_;
  std::unique_ptr<net::TxVirtualiser> tx_virt_;
  net::NetConsumer driver_rx_free_c_;
  net::NetProducer driver_rx_active_p_;
  net::NetConsumer driver_tx_active_c_;
  net::NetProducer driver_tx_free_p_;
  std::uint64_t injected_ = 0;
  std::uint64_t notifications_ = 0;
};

}  // namespace corokit::testing
