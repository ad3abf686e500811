// Results of network operations: a value and an error code (no exceptions on the PD side).
#pragma once

#include <cstdint>
#include <utility>

namespace corokit::net {

enum class NetError : std::uint8_t {
  None,
  NotConnected,  // the socket has no connection (moved from, closed, never connected)
  Reset,         // the peer reset the connection
  Aborted,       // aborted locally (retransmissions exhausted, out of memory)
  Closed,        // the connection is closed for this operation
  NoMemory,      // lwIP pools or the connection table are exhausted
  InUse,         // the port is in use
  Invalid,       // a bad argument
  Refused,       // connect(): refused by the peer
};

const char* to_string(NetError error) noexcept;

template <class T>
struct NetResult {
  T value{};
  NetError error = NetError::None;

  NetResult() = default;
  NetResult(T v) : value(std::move(v)) {}  // NOLINT: implicit on purpose
  NetResult(NetError e) : error(e) {}      // NOLINT
  bool ok() const noexcept { return error == NetError::None; }
  explicit operator bool() const noexcept { return ok(); }
};

}  // namespace corokit::net
