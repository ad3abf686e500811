#include "executor/net/NetStack.h"

#include <cstring>

#include "executor/Panic.h"
#include "executor/Yield.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/igmp.h"
#include "lwip/init.h"
#include "lwip/mld6.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "sdk/PdCounters.h"

namespace corokit::net {
namespace {

NetStack* g_stack = nullptr;
bool g_lwip_initialised = false;

ip4_addr_t ip4(std::uint32_t host_order) {
  ip4_addr_t a;
  ip4_addr_set_u32(&a, lwip_htonl(host_order));
  return a;
}

}  // namespace

NetStack* NetStack::instance() noexcept { return g_stack; }

NetStack::NetStack(exec::AsyncPd& pd, ClientQueues& queues, NetClock& clock, const NetStackConfig& config) noexcept
    : pd_(pd), queues_(queues), clock_(clock), config_(config) {
  if (g_stack != nullptr) exec::panic("corokit net: a second NetStack in one process (lwIP has global state)");
  g_stack = this;
  set_lwip_clock(&clock_);
  for (unsigned i = 0; i < kRxPbufs; ++i) {
    rx_pbufs_[i].stack = this;
    rx_pbufs_[i].next_free = free_rx_pbufs_;
    free_rx_pbufs_ = &rx_pbufs_[i];
  }
  for (TcpConnection& c : connections_) c.stack = this;
}

NetStack::~NetStack() {
  rx_source_.detach();
  tx_source_.detach();
  // Connections still lending memory are reset; their leases end once no frame refers to it.
  for (TcpConnection& c : connections_) {
    if (c.borrowed_count != 0 && c.pcb != nullptr) {
      tcp_pcb* pcb = c.pcb;
      c.detach();
      tcp_abort(pcb);
    }
  }
  if (started_) {
    netif_set_down(&netif_);
    netif_remove(&netif_);
  }
  while (backlog_count_ != 0) pop_backlog();
  for (TcpConnection& c : connections_) {
    if (c.borrowed_count != 0) c.reclaim_all();
  }
  g_stack = nullptr;
  set_lwip_clock(nullptr);
}

void NetStack::start() noexcept {
  if (started_) return;
  started_ = true;
  if (!g_lwip_initialised) {
    lwip_init();
    g_lwip_initialised = true;
  }
  const Ipv4Settings& v4 = config_.ipv4;
  ip4_addr_t address = ip4(v4.dhcp ? 0 : v4.address);
  ip4_addr_t mask = ip4(v4.dhcp || v4.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - v4.prefix));
  ip4_addr_t gateway = ip4(v4.dhcp ? 0 : v4.gateway);
  netif_add(&netif_, &address, &mask, &gateway, this, &NetStack::netif_init, ethernet_input);
  netif_set_default(&netif_);
  netif_set_status_callback(&netif_, &NetStack::status_changed);
  netif_set_up(&netif_);
  netif_set_link_up(&netif_);
  netif_create_ip6_linklocal_address(&netif_, 1);
  netif_set_ip6_autoconfig_enabled(&netif_, 1);
  if (v4.dhcp) {
    dhcp_start(&netif_);
  } else {
    status_changed(&netif_);
  }
  pd_.sources().attach(config_.rx_channel, rx_source_);
  if (config_.tx_channel != config_.rx_channel) pd_.sources().attach(config_.tx_channel, tx_source_);
  wake_.set();  // frames may be waiting already
  pd_.spawn_detached(pump());
  flush();
}

err_t NetStack::netif_init(netif* n) {
  auto* self = static_cast<NetStack*>(n->state);
  n->name[0] = 'c';
  n->name[1] = 'k';
  n->mtu = self->config_.mtu;
  n->mtu6 = self->config_.mtu;
  n->hwaddr_len = 6;
  std::memcpy(n->hwaddr, self->config_.mac.bytes, 6);
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
  n->output = etharp_output;
  n->output_ip6 = ethip6_output;
  n->linkoutput = &NetStack::link_output;
  return ERR_OK;
}

void NetStack::status_changed(netif* n) {
  auto* self = static_cast<NetStack*>(n->state);
  if (!ip4_addr_isany_val(*netif_ip4_addr(n))) self->address_ready_.set();
}

std::uint32_t NetStack::ipv4_address() const noexcept { return lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&netif_))); }

std::uint32_t NetStack::timers_due_in_ms() noexcept { return sys_timeouts_sleeptime(); }

void NetStack::run_timers() noexcept {
  sys_check_timeouts();
  flush();
}

void NetStack::flush() noexcept {
  if (lending_ != 0) {
    for (TcpConnection& c : connections_) {
      if (c.borrowed_count != 0) c.reclaim();
    }
  }
  const ClientQueues::Signals s = queues_.flush();
  if (s.rx) pd_.notify(config_.rx_channel);
  if (s.tx) pd_.notify(config_.tx_channel);
}

exec::Task<void> NetStack::pump() {
  for (;;) {
    co_await wake_;
    wake_.reset();
    while (pass()) co_await exec::yield_now();  // a long burst: let the other tasks run in between
    serviced_.set();
  }
}

bool NetStack::pass() noexcept {
  ++stats_.passes;
  for (;;) {
    drain_backlog();
    ClientQueues::Frame frame;
    unsigned budget = config_.rx_budget;
    while (budget != 0 && queues_.receive(frame)) {
      input(frame);
      --budget;
    }
    drain_backlog();
    flush();
    if (budget == 0) return true;  // awake with work left: no notification needed yet
    // The waiter sequence (PROTOCOLS.md §1.4) before the PD may sleep.
    if (!queues_.prepare_wait(backlog_count_ != 0)) return false;
  }
}

void NetStack::free_rx_pbuf(pbuf* p) {
  auto* rx = reinterpret_cast<RxPbuf*>(p);  // custom is the first member
  NetStack* self = rx->stack;
  self->queues_.release_rx(rx->offset);
  rx->next_free = self->free_rx_pbufs_;
  self->free_rx_pbufs_ = rx;
}

void NetStack::input(const ClientQueues::Frame& frame) noexcept {
  ++stats_.rx_frames;
  pbuf* p = nullptr;
  if (queues_.rx_writable() && free_rx_pbufs_ != nullptr) {
    RxPbuf* rx = free_rx_pbufs_;
    free_rx_pbufs_ = rx->next_free;
    rx->offset = frame.offset;
    rx->custom.custom_free_function = &NetStack::free_rx_pbuf;
    p = pbuf_alloced_custom(PBUF_RAW, frame.len, PBUF_REF, &rx->custom, frame.data, NET_BUFFER_SIZE);
  } else {
    ++stats_.rx_copied;
    p = pbuf_alloc(PBUF_RAW, frame.len, PBUF_POOL);
    if (p != nullptr) {
      pbuf_take(p, frame.data, frame.len);
      counters::copied(frame.len);
    }
    queues_.release_rx(frame.offset);
    if (p == nullptr) {
      ++stats_.rx_dropped;
      return;
    }
  }
  if (netif_.input(p, &netif_) != ERR_OK) {
    ++stats_.rx_dropped;
    pbuf_free(p);
  }
}

bool NetStack::transmit(pbuf* p) noexcept {
  std::uint64_t offset = 0;
  std::uint8_t* buffer = queues_.acquire_tx(offset);
  if (buffer == nullptr) return false;
  pbuf_copy_partial(p, buffer, p->tot_len, 0);
  counters::copied(p->tot_len);
  queues_.submit_tx(offset, p->tot_len);
  ++stats_.tx_frames;
  return true;
}

void NetStack::pop_backlog() noexcept {
  pbuf_free(backlog_[backlog_head_]);
  backlog_head_ = (backlog_head_ + 1) % kBacklog;
  --backlog_count_;
  ++backlog_left_;
}

void NetStack::drain_backlog() noexcept {
  while (backlog_count_ != 0) {
    if (!transmit(backlog_[backlog_head_])) return;
    pop_backlog();
  }
}

err_t NetStack::link_output(netif* n, pbuf* p) {
  auto* self = static_cast<NetStack*>(n->state);
  if (p->tot_len < NET_MIN_FRAME || p->tot_len > NET_BUFFER_SIZE) return ERR_IF;
  if (self->backlog_count_ == 0 && self->transmit(p)) return ERR_OK;
  self->drain_backlog();
  if (self->backlog_count_ == 0 && self->transmit(p)) return ERR_OK;
  if (self->backlog_count_ == kBacklog) {
    ++self->stats_.tx_dropped;
    return ERR_MEM;
  }
  // No Tx buffer: keep a reference (lwIP's segment, not a copy) until one is free. The pump asks
  // for a Tx-free notification because the backlog is not empty.
  pbuf_ref(p);
  self->backlog_[(self->backlog_head_ + self->backlog_count_) % kBacklog] = p;
  ++self->backlog_count_;
  ++self->backlog_entered_;
  ++self->stats_.tx_backlogged;
  self->wake_.set();
  return ERR_OK;
}

TcpConnection* NetStack::allocate_connection() noexcept {
  for (TcpConnection& c : connections_) {
    if (c.in_use) continue;
    c.in_use = true;
    c.pcb = nullptr;
    c.rx_head = c.rx_tail = nullptr;
    c.rx_offset = 0;
    c.eof = c.connected = c.lingering = false;
    c.borrowed_head = c.borrowed_count = 0;
    c.error = NetError::None;
    c.readable.reset();
    c.writable.reset();
    return &c;
  }
  return nullptr;
}

void NetStack::release_connection(TcpConnection& c) noexcept {
  c.discard_rx();
  if (c.borrowed_count != 0) {
    c.lingering = true;  // reclaim() frees the slot
    return;
  }
  c.lingering = false;
  c.in_use = false;
}

}  // namespace corokit::net
