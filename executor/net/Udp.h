// UDP sockets on a NetStack. Received datagrams wait in a bounded queue (beyond it they are dropped
// and counted); sending copies the payload once into a pbuf, and once more into a Tx buffer.
//
//   UdpSocket socket(stack);
//   socket.bind(7);
//   NetResult<Datagram> d = co_await socket.receive(buffer);
//   socket.send_to(std::span(buffer.data(), d.value.len), d.value.from_ipv4, d.value.from_port);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "executor/Event.h"
#include "executor/Task.h"
#include "executor/net/NetResult.h"

struct udp_pcb;
struct pbuf;
struct ip_addr;

namespace corokit::net {

class NetStack;

struct Datagram {
  std::size_t len = 0;         // bytes copied into the caller's buffer
  std::size_t full_len = 0;    // the datagram's length (larger than len: truncated)
  std::uint32_t from_ipv4 = 0; // host order; 0 for an IPv6 sender
  std::uint16_t from_port = 0;
};

class UdpSocket {
 public:
  static constexpr unsigned kQueue = 64;

  explicit UdpSocket(NetStack& stack) noexcept : stack_(stack) {}
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  NetError bind(std::uint16_t port) noexcept;
  exec::Task<NetResult<Datagram>> receive(std::span<std::uint8_t> out);
  NetError send_to(std::span<const std::uint8_t> data, std::uint32_t ipv4, std::uint16_t port) noexcept;
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  struct Entry {
    pbuf* p;
    std::uint32_t ipv4;
    std::uint16_t port;
  };
  static void on_receive(void* arg, udp_pcb* pcb, pbuf* p, const ip_addr* addr, std::uint16_t port);

  NetStack& stack_;
  udp_pcb* pcb_ = nullptr;
  Entry queue_[kQueue] = {};
  unsigned head_ = 0;
  unsigned count_ = 0;
  std::uint64_t dropped_ = 0;
  exec::Event readable_;
};

}  // namespace corokit::net
