// The timer driver's logic (PROTOCOLS.md §2), independent of the device and of the PD runtime so it
// can be tested against a fake device: one deadline per client, a client being the channel its PPC
// arrives on (it cannot be forged), the device programmed once per change of the earliest deadline,
// and every bad request answered with TIMER_ERR without touching the client's state.
//
// Flood control: the requests that can reprogram the device (SET_TIMEOUT, SET_DEADLINE, CANCEL) draw
// on a per-client token bucket (default: bursts of 1024, then 100 000 per second, more than a
// client that arms once per change of its earliest deadline needs); a client without tokens gets
// TIMER_ERR (corokit's timer service then retries in its next turn). GET_TIME and GET_INFO are pure
// reads and are not limited. Other clients are not affected either way. Freestanding.
#pragma once

#include <cstdint>

#include "sdk/protocol/Timer.h"

namespace corokit::pds {

// The device: a one-shot, absolute-deadline timer on the system clock.
class TimerHardware {
 public:
  // Nanoseconds since the system epoch.
  virtual std::uint64_t now() noexcept = 0;
  // Fires (raises the IRQ) once the clock reads `deadline` or later; replaces a programmed one.
  virtual void program(std::uint64_t deadline) noexcept = 0;
  virtual void disarm() noexcept = 0;
  // Consumes a pending expiry (the device side of the IRQ acknowledgement); true if one was
  // pending, which also means the device is no longer programmed.
  virtual bool consume_expiry() noexcept = 0;

 protected:
  ~TimerHardware() = default;
};

struct TimerDriverConfig {
  std::uint64_t resolution_ns = 1;     // GET_INFO's answer
  std::uint32_t burst = 1024;          // token bucket per client
  std::uint64_t refill_ns = 10'000;    // one token per this many ns
};

class TimerDriver {
 public:
  static constexpr unsigned kMaxClients = 62;  // channel ids 0..61

  struct Reply {
    std::uint64_t label = CK_TIMER_OK;
    unsigned count = 0;
    std::uint64_t mr[2] = {};
  };

  // Why a request was refused (per-client counters).
  struct ClientStats {
    std::uint64_t requests = 0;
    std::uint64_t bad_label = 0;
    std::uint64_t bad_count = 0;
    std::uint64_t overflow = 0;
    std::uint64_t flooded = 0;
    std::uint64_t notifications = 0;
  };
  struct Stats {
    std::uint64_t programmings = 0;  // device programmed (or disarmed) because the earliest changed
    std::uint64_t interrupts = 0;
    std::uint64_t spurious_interrupts = 0;  // no expiry pending
  };

  TimerDriver(TimerHardware& hardware, TimerDriverConfig config = {}) noexcept;

  // A PPC from the client on `channel`. `mr0` is message register 0 (read only when count >= 1).
  // Clients to notify (a deadline already passed) are added to `notify` (bit = channel).
  Reply handle(unsigned channel, std::uint64_t label, unsigned count, std::uint64_t mr0, std::uint64_t& notify) noexcept;
  // The device interrupt: clears and reports in `notify` every client whose deadline has passed,
  // then programs the device for the new earliest deadline (or disarms it).
  void on_interrupt(std::uint64_t& notify) noexcept;

  // The client's pending deadline, if any.
  bool pending(unsigned channel, std::uint64_t& deadline) const noexcept;
  bool programmed(std::uint64_t& deadline) const noexcept {
    deadline = programmed_;
    return device_armed_;
  }
  const Stats& stats() const noexcept { return stats_; }
  const ClientStats& client_stats(unsigned channel) const noexcept { return clients_[channel < kMaxClients ? channel : 0].stats; }

 private:
  struct Client {
    std::uint64_t deadline = 0;
    std::uint64_t tokens = 0;
    std::uint64_t refilled_at = 0;
    bool bucket_started = false;
    ClientStats stats;
  };

  bool take_token(Client& client, std::uint64_t now) noexcept;
  void set(unsigned channel, std::uint64_t deadline, std::uint64_t now, std::uint64_t& notify) noexcept;
  void clear(unsigned channel) noexcept;
  void reprogram() noexcept;

  TimerHardware& hardware_;
  TimerDriverConfig config_;
  Client clients_[kMaxClients];
  std::uint64_t armed_clients_ = 0;  // bit per client with a pending deadline
  std::uint64_t programmed_ = 0;
  bool device_armed_ = false;
  Stats stats_{};
};

}  // namespace corokit::pds
