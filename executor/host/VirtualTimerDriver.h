#pragma once

#include <cstdint>
#include <vector>

#include "executor/Timer.h"
#include "executor/host/PdHarness.h"

// Host-only: a timer driver with virtual time for unit tests of PDs that use timers. It plays the
// clock and the driver end of the timer protocol for one PD driven by a PdHarness: now() is the
// harness's virtual time, set_deadline() records the PD's one deadline (replacing the previous one,
// as the real driver does), and advance() moves time forward, delivering the expiry notification
// at each armed deadline on the way, never early.
//
//   PdHarness h;
//   VirtualTimerDriver driver(h, kTimerChannel);
//   TimerService timers(h.pd(), driver, kTimerChannel);
//   h.pd().spawn_detached(sleeper(timers));
//   h.start();
//   driver.advance(Duration::milliseconds(5));
//   EXPECT_EQ(driver.requests().size(), 1u);

namespace corokit::exec {

class VirtualTimerDriver final : public TimerDevice {
 public:
  VirtualTimerDriver(PdHarness& harness, ChannelId channel) noexcept : harness_(harness), channel_(channel) {}

  std::uint64_t now() noexcept override {
    ++clock_reads_;
    return harness_.now();
  }
  bool set_deadline(std::uint64_t deadline) noexcept override {
    requests_.push_back(deadline);
    if (refuse_) return false;
    armed_ = true;
    deadline_ = deadline;
    return true;
  }

  // Moves virtual time forward by `duration`; at each armed deadline reached on the way, time stops
  // there, the deadline is cleared and the PD is notified (its turns run until it is idle).
  void advance(Duration duration) { advance_to(harness_.now() + duration.ns()); }
  void advance_to(std::uint64_t target) {
    while (armed_ && deadline_ <= target) {
      if (deadline_ > harness_.now()) harness_.advance_time(deadline_ - harness_.now());
      armed_ = false;
      ++notifications_;
      harness_.deliver(channel_);
    }
    if (target > harness_.now()) harness_.advance_time(target - harness_.now());
  }
  // A notification that no deadline caused (drivers may send them; clients must cope).
  void notify_spuriously() {
    ++notifications_;
    harness_.deliver(channel_);
  }

  // Every SET_DEADLINE the PD sent, in order.
  const std::vector<std::uint64_t>& requests() const noexcept { return requests_; }
  bool armed() const noexcept { return armed_; }
  std::uint64_t deadline() const noexcept { return deadline_; }
  std::uint64_t notifications() const noexcept { return notifications_; }
  std::uint64_t clock_reads() const noexcept { return clock_reads_; }
  // While set, SET_DEADLINE is answered with an error (a driver refusing a flooding client).
  void refuse_requests(bool refuse) noexcept { refuse_ = refuse; }

 private:
  PdHarness& harness_;
  ChannelId channel_;
  std::vector<std::uint64_t> requests_;
  std::uint64_t deadline_ = 0;
  std::uint64_t notifications_ = 0;
  std::uint64_t clock_reads_ = 0;
  bool armed_ = false;
  bool refuse_ = false;
};

}  // namespace corokit::exec
