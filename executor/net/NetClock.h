// The network stack's view of time (lwIP's sys_now and its timers). On a PD it reads the timer
// service's clock; tests use the host's monotonic clock or virtual time.
#pragma once

#include <cstdint>

namespace corokit::net {

class NetClock {
 public:
  virtual std::uint64_t now_ns() noexcept = 0;

 protected:
  ~NetClock() = default;
};

// lwIP's clock (LwipPort.cpp): one per process, as lwIP's state is.
void set_lwip_clock(NetClock* clock) noexcept;

}  // namespace corokit::net
