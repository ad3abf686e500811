// TlsStream<Transport>: TLS over a coroutine byte stream, for tasks on a PD's executor. The
// transport has the shape of corokit::net::TcpStream:
//
//   exec::Task<NetResult<std::size_t>> read(std::span<std::uint8_t>);   // value 0: peer closed
//   exec::Task<NetError> write(std::span<const std::uint8_t>);          // all bytes, or an error
//   exec::Task<NetError> close();
//   void abort();
//
// where NetResult<T> has `value`, `error` and ok(), and NetError is an enum with None. The stream
// owns the transport and a TlsEngine, and moves ciphertext between them; the TLS work itself is
// the engine's. One operation at a time: a call made while another is in flight (from another
// task) returns Busy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "executor/Task.h"
#include "pds/tls/TlsEngine.h"
#include "pds/tls/TlsError.h"

namespace corokit::tls {

namespace detail {

template <class T>
struct TaskValue;
template <class T>
struct TaskValue<exec::Task<T>> {
  using type = T;
};

}  // namespace detail

template <class Transport>
class TlsStream {
 public:
  using NetReadResult = typename detail::TaskValue<decltype(std::declval<Transport&>().read(
      std::declval<std::span<std::uint8_t>>()))>::type;
  using NetError = typename detail::TaskValue<decltype(std::declval<Transport&>().write(
      std::declval<std::span<const std::uint8_t>>()))>::type;

  // What went wrong: the TLS layer, or the transport (at most one of them is set).
  struct Error {
    TlsError tls = TlsError::None;
    NetError net = NetError::None;
    bool ok() const noexcept { return tls == TlsError::None && net == NetError::None; }
  };
  template <class T>
  struct Result {
    T value{};
    Error error;
    bool ok() const noexcept { return error.ok(); }
  };

  TlsStream(Transport transport, TlsEngine engine) noexcept
      : transport_(std::move(transport)), engine_(std::move(engine)) {}
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Runs the handshake to its end (read() and write() also start it when needed).
  exec::Task<Error> handshake() {
    if (busy_) co_return Error{TlsError::Busy};
    Guard guard(busy_);
    co_return co_await drive_handshake();
  }

  // Plaintext into `buffer`: the bytes read (at least 1), or 0 when the peer sent close_notify (or
  // `buffer` is empty). The transport ending without close_notify is Truncated.
  exec::Task<Result<std::size_t>> read(std::span<std::uint8_t> buffer) {
    if (busy_) co_return Result<std::size_t>{0, Error{TlsError::Busy}};
    Guard guard(busy_);
    if (buffer.empty()) co_return Result<std::size_t>{};
    for (;;) {
      const TlsResult<std::size_t> got = engine_.read(buffer);
      const Error sent = co_await flush();  // alerts, and the handshake's flights
      if (got.ok()) co_return Result<std::size_t>{got.value, sent};
      if (got.error == TlsError::Closed) co_return Result<std::size_t>{};
      if (!sent.ok()) co_return Result<std::size_t>{0, sent};
      if (got.error == TlsError::WantRead) {
        if (const Error e = co_await fill(); !e.ok()) co_return Result<std::size_t>{0, e};
      } else if (got.error != TlsError::WantWrite) {
        co_return Result<std::size_t>{0, Error{got.error}};
      }
    }
  }

  // Sends all of `data` (any size: it is cut into records).
  exec::Task<Error> write(std::span<const std::uint8_t> data) {
    if (busy_) co_return Error{TlsError::Busy};
    Guard guard(busy_);
    if (!engine_.established()) {
      if (const Error e = co_await drive_handshake(); !e.ok()) co_return e;
    }
    while (!data.empty()) {
      const TlsResult<std::size_t> put = engine_.write(data);
      if (put.ok()) {
        data = data.subspan(put.value);
      } else if (put.error == TlsError::WantWrite) {
        if (const Error e = co_await flush(); !e.ok()) co_return e;
      } else {
        co_await flush();  // the alert, best effort
        co_return Error{put.error};
      }
    }
    co_return co_await flush();
  }

  // Sends close_notify, then closes the transport. It does not wait for the peer's close_notify.
  exec::Task<Error> close() {
    if (busy_) co_return Error{TlsError::Busy};
    Guard guard(busy_);
    for (;;) {
      const TlsError closing = engine_.close();
      const Error sent = co_await flush();
      if (closing == TlsError::WantWrite && sent.ok()) continue;
      const NetError closed = co_await transport_.close();
      if (closing != TlsError::None) co_return Error{closing};
      if (!sent.ok()) co_return sent;
      co_return Error{TlsError::None, closed};
    }
  }

  // Drops the connection at once (no close_notify).
  void abort() noexcept { transport_.abort(); }

  TlsEngine& engine() noexcept { return engine_; }
  Transport& transport() noexcept { return transport_; }

 private:
  struct Guard {
    explicit Guard(bool& flag) noexcept : flag_(flag) { flag_ = true; }
    ~Guard() { flag_ = false; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    bool& flag_;
  };

  exec::Task<Error> drive_handshake() {
    for (;;) {
      const TlsError step = engine_.handshake();
      const Error sent = co_await flush();
      if (step == TlsError::None || !sent.ok()) co_return sent;
      if (step == TlsError::WantRead) {
        if (const Error e = co_await fill(); !e.ok()) co_return e;
      } else if (step != TlsError::WantWrite) {
        co_return Error{step};
      }
    }
  }

  // Sends every pending ciphertext byte.
  exec::Task<Error> flush() {
    for (;;) {
      const std::span<const std::uint8_t> out = engine_.pending_output();
      if (out.empty()) co_return Error{};
      const NetError e = co_await transport_.write(out);
      if (e != NetError::None) co_return Error{TlsError::None, e};
      engine_.consume_output(out.size());
    }
  }

  // Receives ciphertext straight into the engine's input buffer.
  exec::Task<Error> fill() {
    const std::span<std::uint8_t> space = engine_.input_space();
    if (space.empty()) co_return Error{TlsError::Internal};
    const NetReadResult got = co_await transport_.read(space);
    if (!got.ok()) co_return Error{TlsError::None, got.error};
    if (got.value == 0) co_return Error{TlsError::Truncated};
    engine_.commit_input(got.value);
    co_return Error{};
  }

  Transport transport_;
  TlsEngine engine_;
  bool busy_ = false;
};

}  // namespace corokit::tls
