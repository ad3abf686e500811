// The state of one TCP connection, owned by the NetStack's connection table and handed to a
// TcpStream (Tcp.h). lwIP's callbacks fill it; the stream's tasks drain it. Internal to the stack.
#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/Event.h"
#include "executor/net/Lease.h"
#include "executor/net/NetResult.h"

struct pbuf;
struct tcp_pcb;

namespace corokit::net {

class NetStack;

// Memory lent to lwIP by TcpStream::write_borrowed: lwIP's segments refer to it (PBUF_ROM) until
// they are freed, and the lease keeps it valid until then.
struct BorrowedSpan {
  Lease lease;
  std::uint32_t end_seq = 0;        // after the last byte of the span queued so far
  std::uint64_t backlog_ticket = 0; // NetStack::backlog_ticket() once no segment refers to it
  bool sealed = false;              // its writer has queued all it will (done, failed or cancelled)
  bool unreferenced = false;        // no segment refers to it; backlog_ticket is set
};

struct TcpConnection {
  // Spans lent per connection at a time: with 4 KiB buffer-cache blocks, 64 KiB in flight. More
  // wait (back-pressure), which also bounds the cache buffers one connection keeps pinned.
  static constexpr unsigned kBorrowedSpans = 16;

  NetStack* stack = nullptr;
  tcp_pcb* pcb = nullptr;
  pbuf* rx_head = nullptr;  // received, unread data: a private list of pbufs linked through `next`
  pbuf* rx_tail = nullptr;
  std::uint16_t rx_offset = 0;  // bytes of rx_head already read
  bool in_use = false;
  bool lingering = false;       // the stream is gone; lent memory waits for lwIP to let go of it
  bool eof = false;             // the peer sent FIN
  bool connected = false;       // connect() completed
  NetError error = NetError::None;
  exec::Event readable;         // data, FIN or an error arrived
  exec::Event writable;         // send buffer space, an acknowledgement, a connect, an error or a
                                // released span
  BorrowedSpan borrowed[kBorrowedSpans];  // a FIFO in sequence order
  unsigned borrowed_head = 0;
  unsigned borrowed_count = 0;

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

  // A new span at the tail of `borrowed` (there must be room), not sealed, ending where lwIP's
  // send buffer ends now. Returns its index.
  unsigned lend(Lease&& lease) noexcept;
  // Ends the leases of the spans lwIP and the Tx backlog no longer refer to, oldest first. The
  // stack calls it on every flush while spans are lent, i.e. after acknowledgements, timers,
  // resets and the backlog's progress, outside lwIP's callbacks. Ends a lingering connection once
  // nothing is lent.
  void reclaim() noexcept;
  // The stack is going away and lwIP no longer refers to lent memory: every lease ends now.
  void reclaim_all() noexcept;
};

}  // namespace corokit::net
