// A network stack for one PD: lwIP (NO_SYS, raw API) over the client side of a NIC's queues
// (ClientQueues.h), run by the PD's executor. docs/net.md describes the design.
//
//   NetStack stack(pd, queues, clock, {.mac = ..., .ipv4 = ..., .rx_channel = 4, .tx_channel = 5});
//   stack.start();                            // netif up, DHCP or the static address
//   co_await stack.address_ready();
//   TcpListener listener(stack); listener.listen(7);
//   TcpStream s = (co_await listener.accept()).value;   // Tcp.h, Udp.h
//
// Received frames are handed to lwIP without a copy (a PBUF_REF on the Rx buffer, given back to
// the free queue when lwIP frees it) when the Rx region is writable; otherwise they are copied into
// a pbuf once. Transmitted frames are copied once into a Tx buffer; when none is free, frames wait
// in a bounded backlog (referenced, not copied) and the stack asks the Tx virtualiser for a
// notification. TCP can send from the caller's memory (TcpStream::write_borrowed): then that copy
// into the Tx buffer is the only one. Queues are published once per batch and each peer is notified at most once per turn.
//
// lwIP keeps global state, so a process has at most one NetStack. lwIP's timers are driven by the
// PD (timers_due_in_ms(), run_timers()), from the timer service.
#pragma once

#include <cstdint>

#include "executor/AsyncPd.h"
#include "executor/Event.h"
#include "executor/Task.h"
#include "executor/net/ClientQueues.h"
#include "executor/net/NetClock.h"
#include "executor/net/NetConfig.h"
#include "executor/net/NetResult.h"
#include "executor/net/TcpConnection.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

namespace corokit::net {

struct NetStackConfig {
  MacAddress mac;
  Ipv4Settings ipv4;
  std::uint16_t mtu = 1500;
  exec::ChannelId rx_channel = 0;  // to the copier or Rx virtualiser
  exec::ChannelId tx_channel = 1;  // to the Tx virtualiser
  unsigned rx_budget = 256;        // frames handed to lwIP per pass before other tasks run
};

struct NetStackStats {
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_copied = 0;      // frames copied because the Rx region is read-only or pbufs ran out
  std::uint64_t rx_dropped = 0;     // lwIP had no memory for a frame
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_backlogged = 0;  // frames that waited for a Tx buffer
  std::uint64_t tx_dropped = 0;     // the backlog was full
  std::uint64_t passes = 0;
};

class NetStack {
 public:
  NetStack(exec::AsyncPd& pd, ClientQueues& queues, NetClock& clock, const NetStackConfig& config) noexcept;
  ~NetStack();
  NetStack(const NetStack&) = delete;
  NetStack& operator=(const NetStack&) = delete;

  // Adds the interface, brings it up, starts DHCP (or sets the static address) and IPv6
  // autoconfiguration, and starts the task that serves the queues.
  void start() noexcept;

  // Set after every pass over the queues (reset it before awaiting it): lets a PD without a timer
  // service run lwIP's timers when the stack wakes up.
  exec::Event& serviced() noexcept { return serviced_; }

  // Set once the interface has an IPv4 address.
  exec::Event& address_ready() noexcept { return address_ready_; }
  std::uint32_t ipv4_address() const noexcept;  // host order; 0 until assigned

  // lwIP's timers: milliseconds until the next one is due, and running the due ones.
  std::uint32_t timers_due_in_ms() noexcept;
  void run_timers() noexcept;

  // Publishes the queues and queues the notifications the peers need (called after every
  // operation that may have produced frames or freed buffers).
  void flush() noexcept;

  exec::AsyncPd& pd() noexcept { return pd_; }
  ClientQueues& queues() noexcept { return queues_; }
  const NetStackStats& stats() const noexcept { return stats_; }
  netif* interface() noexcept { return &netif_; }
  static NetStack* instance() noexcept;

  // The connection table (Tcp.h). A released connection with lent memory (write_borrowed) stays
  // taken, lingering, until lwIP lets go of that memory.
  TcpConnection* allocate_connection() noexcept;
  void release_connection(TcpConnection& c) noexcept;
  // Connections with lent memory, whose spans flush() reclaims.
  void lending_started() noexcept { ++lending_; }
  void lending_ended() noexcept { --lending_; }

  // The Tx backlog is a FIFO: a frame that entered it before backlog_ticket() returned `t` has
  // left it (sent or dropped) once backlog_passed(t). Lent memory no segment refers to any more
  // may still be in such a frame.
  std::uint64_t backlog_ticket() const noexcept { return backlog_entered_; }
  bool backlog_passed(std::uint64_t ticket) const noexcept { return backlog_left_ >= ticket; }

 private:
  class ChannelSource final : public exec::EventSource {
   public:
    explicit ChannelSource(NetStack& stack) noexcept : stack_(stack) {}
    void on_notified(exec::ChannelId) noexcept override { stack_.wake_.set(); }

   private:
    NetStack& stack_;
  };
  struct RxPbuf {
    pbuf_custom custom;
    NetStack* stack;
    std::uint64_t offset;
    RxPbuf* next_free;
  };
  static constexpr unsigned kRxPbufs = 1024;
  static constexpr unsigned kBacklog = 512;
  static constexpr unsigned kConnections = 160;  // matches MEMP_NUM_TCP_PCB (lwipopts.h)

  exec::Task<void> pump();
  // One bounded pass over the queues; true when work remains.
  bool pass() noexcept;
  void input(const ClientQueues::Frame& frame) noexcept;
  bool transmit(pbuf* p) noexcept;
  void drain_backlog() noexcept;
  void pop_backlog() noexcept;
  static err_t netif_init(netif* n);
  static err_t link_output(netif* n, pbuf* p);
  static void status_changed(netif* n);
  static void free_rx_pbuf(pbuf* p);

  exec::AsyncPd& pd_;
  ClientQueues& queues_;
  NetClock& clock_;
  NetStackConfig config_;
  netif netif_{};
  ChannelSource rx_source_{*this};
  ChannelSource tx_source_{*this};
  exec::Event wake_;
  exec::Event address_ready_;
  exec::Event serviced_;
  RxPbuf rx_pbufs_[kRxPbufs];
  RxPbuf* free_rx_pbufs_ = nullptr;
  pbuf* backlog_[kBacklog] = {};
  unsigned backlog_head_ = 0;
  unsigned backlog_count_ = 0;
  std::uint64_t backlog_entered_ = 0;
  std::uint64_t backlog_left_ = 0;
  unsigned lending_ = 0;
  TcpConnection connections_[kConnections];
  NetStackStats stats_{};
  bool started_ = false;
};

}  // namespace corokit::net
