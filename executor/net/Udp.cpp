#include "executor/net/Udp.h"

#include <algorithm>
#include <cstring>

#include "executor/net/NetStack.h"
#include "lwip/udp.h"
#include "sdk/PdCounters.h"

namespace corokit::net {

UdpSocket::~UdpSocket() {
  if (pcb_ != nullptr) udp_remove(pcb_);
  while (count_ != 0) {
    pbuf_free(queue_[head_].p);
    head_ = (head_ + 1) % kQueue;
    --count_;
  }
}

NetError UdpSocket::bind(std::uint16_t port) noexcept {
  if (pcb_ != nullptr) return NetError::Invalid;
  udp_pcb* pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
  if (pcb == nullptr) return NetError::NoMemory;
  if (udp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
    udp_remove(pcb);
    return NetError::InUse;
  }
  pcb_ = pcb;
  udp_recv(pcb_, reinterpret_cast<udp_recv_fn>(&UdpSocket::on_receive), this);
  return NetError::None;
}

void UdpSocket::on_receive(void* arg, udp_pcb*, pbuf* p, const ip_addr* addr, std::uint16_t port) {
  auto* self = static_cast<UdpSocket*>(arg);
  if (self->count_ == kQueue) {
    ++self->dropped_;
    pbuf_free(p);
    return;
  }
  Entry& e = self->queue_[(self->head_ + self->count_) % kQueue];
  e.p = p;
  e.ipv4 = IP_IS_V4(addr) ? lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr))) : 0;
  e.port = port;
  ++self->count_;
  self->readable_.set();
}

exec::Task<NetResult<Datagram>> UdpSocket::receive(std::span<std::uint8_t> out) {
  if (pcb_ == nullptr) co_return NetError::NotConnected;
  while (count_ == 0) {
    readable_.reset();
    co_await readable_;
  }
  Entry e = queue_[head_];
  head_ = (head_ + 1) % kQueue;
  --count_;
  Datagram d;
  d.full_len = e.p->tot_len;
  d.len = pbuf_copy_partial(e.p, out.data(), static_cast<u16_t>(std::min<std::size_t>(out.size(), 0xffff)), 0);
  counters::copied(d.len);
  d.from_ipv4 = e.ipv4;
  d.from_port = e.port;
  pbuf_free(e.p);
  stack_.flush();
  co_return d;
}

NetError UdpSocket::send_to(std::span<const std::uint8_t> data, std::uint32_t ipv4, std::uint16_t port) noexcept {
  if (pcb_ == nullptr) return NetError::NotConnected;
  if (data.size() > 0xffff - 28) return NetError::Invalid;
  pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
  if (p == nullptr) return NetError::NoMemory;
  pbuf_take(p, data.data(), static_cast<u16_t>(data.size()));
  counters::copied(data.size());
  ip_addr_t address;
  IP_ADDR4(&address, (ipv4 >> 24) & 0xff, (ipv4 >> 16) & 0xff, (ipv4 >> 8) & 0xff, ipv4 & 0xff);
  err_t e = udp_sendto(pcb_, p, &address, port);
  pbuf_free(p);
  stack_.flush();
  return e == ERR_OK ? NetError::None : e == ERR_MEM ? NetError::NoMemory : NetError::Invalid;
}

}  // namespace corokit::net
