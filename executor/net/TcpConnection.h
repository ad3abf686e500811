// The state of one TCP connection, owned by the NetStack's connection table and handed to a
// TcpStream (Tcp.h). lwIP's callbacks fill it; the stream's tasks drain it. Internal to the stack.
#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/Event.h"
#include "executor/net/NetResult.h"

struct pbuf;
struct tcp_pcb;

namespace corokit::net {

class NetStack;

struct TcpConnection {
  NetStack* stack = nullptr;
  tcp_pcb* pcb = nullptr;
  pbuf* rx_head = nullptr;  // received, unread data: a private list of pbufs linked through `next`
  pbuf* rx_tail = nullptr;
  std::uint16_t rx_offset = 0;  // bytes of rx_head already read
  bool in_use = false;
  bool eof = false;             // the peer sent FIN
  bool connected = false;       // connect() completed
  NetError error = NetError::None;
  exec::Event readable;         // data, FIN or an error arrived
  exec::Event writable;         // send buffer space, an acknowledgement, a connect or an error

  // Binds lwIP's callbacks for `p` to this connection.
  void attach(tcp_pcb* p) noexcept;
  // Unbinds the callbacks (lwIP's defaults take over: incoming data is acknowledged and dropped).
  void detach() noexcept;
  // Copies up to out_len bytes of received data, acknowledges them to lwIP (window update).
  std::size_t take(std::uint8_t* out, std::size_t out_len) noexcept;
  // Acknowledges and drops all unread data (before a close, so lwIP does not answer with RST).
  void discard_rx() noexcept;
  // Everything sent has been acknowledged.
  bool all_acked() const noexcept;
  void append_rx(pbuf* p) noexcept;
};

}  // namespace corokit::net
