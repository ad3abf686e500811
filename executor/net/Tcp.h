// TCP sockets on a NetStack: a listener with a backlog, connect, read/write with back-pressure, and
// graceful shutdown and close (no data lost: lwIP keeps sending what was written after close).
//
//   TcpListener listener(stack);
//   if (listener.listen(7) != NetError::None) ...
//   for (;;) {
//     NetResult<TcpStream> s = co_await listener.accept();
//     ...
//     NetResult<std::size_t> n = co_await s.value.read(buffer);   // 0: the peer closed
//     NetError e = co_await s.value.write(std::span(buffer.data(), n.value));
//     co_await s.value.close();                                   // completes when all is acked
//   }
//
// Zero-copy sends (Lease.h): take the span before the pin moves into the call's lease:
//     std::span<const std::uint8_t> bytes = pin.bytes();
//     NetError e = co_await s.value.write_borrowed(bytes, std::move(pin));
//
// Timeouts: wrap an operation with the timer service (`co_await timeout(d, stream.read(buf))`):
// a cancelled operation leaves the stream consistent. A stream, listener or socket must outlive
// the tasks of its operations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "executor/Event.h"
#include "executor/Task.h"
#include "executor/net/Lease.h"
#include "executor/net/NetResult.h"

struct tcp_pcb;

namespace corokit::net {

class NetStack;
struct TcpConnection;

class TcpStream {
 public:
  TcpStream() noexcept = default;
  explicit TcpStream(TcpConnection* connection) noexcept : c_(connection) {}
  TcpStream(TcpStream&& other) noexcept : c_(other.c_) { other.c_ = nullptr; }
  TcpStream& operator=(TcpStream&& other) noexcept;
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;
  // Closes gracefully without waiting (lwIP still delivers what was written).
  ~TcpStream();

  // An active open to ipv4:port (host order).
  static exec::Task<NetResult<TcpStream>> connect(NetStack& stack, std::uint32_t ipv4, std::uint16_t port);

  bool valid() const noexcept { return c_ != nullptr; }
  // Reads what is available (waiting until something is): 0 means the peer closed its side.
  exec::Task<NetResult<std::size_t>> read(std::span<std::uint8_t> out);
  // Writes every byte, waiting while the send buffer is full. The bytes are copied into lwIP's
  // segments: `data` is free again when write returns.
  exec::Task<NetError> write(std::span<const std::uint8_t> data);
  // Writes every byte without copying it: lwIP's segments refer to `data` (zero-copy; the one copy
  // left is the frame's into a Tx buffer). `lease` keeps `data` valid and ends, exactly once, when
  // no segment, retransmission or queued frame refers to it any more: after the bytes are
  // acknowledged, or after the connection was reset, aborted or failed, also when the stream is
  // gone by then. Returns once every byte is queued; waits (back-pressure) while the send buffer,
  // lwIP's queue or the connection's TcpConnection::kBorrowedSpans (16) lent spans are full. On an error the lease ends
  // once lwIP lets go of what was queued.
  exec::Task<NetError> write_borrowed(std::span<const std::uint8_t> data, Lease lease);
  // Sends FIN after everything written; reading goes on.
  NetError shutdown() noexcept;
  // Shuts down, waits until everything written has been acknowledged (or the connection failed),
  // then releases the connection.
  exec::Task<NetError> close();
  // Resets the connection at once (unsent data is dropped).
  void abort() noexcept;

  std::uint32_t remote_ipv4() const noexcept;
  std::uint16_t remote_port() const noexcept;
  std::size_t unread() const noexcept;

 private:
  void release() noexcept;
  TcpConnection* c_ = nullptr;
};

class TcpListener {
 public:
  static constexpr unsigned kMaxBacklog = 128;

  explicit TcpListener(NetStack& stack) noexcept : stack_(stack) {}
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // Listens on `port` (IPv4 and IPv6); up to `backlog` established connections wait for accept().
  NetError listen(std::uint16_t port, unsigned backlog = 16) noexcept;
  exec::Task<NetResult<TcpStream>> accept();
  std::uint16_t port() const noexcept;
  std::uint64_t refused() const noexcept { return refused_; }

 private:
  static signed char on_accept(void* arg, tcp_pcb* pcb, signed char err);

  NetStack& stack_;
  tcp_pcb* pcb_ = nullptr;
  TcpConnection* ready_[kMaxBacklog] = {};
  unsigned head_ = 0;
  unsigned count_ = 0;
  unsigned backlog_ = 0;
  std::uint64_t refused_ = 0;
  exec::Event pending_;
};

}  // namespace corokit::net
