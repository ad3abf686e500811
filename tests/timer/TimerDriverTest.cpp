// The timer driver's logic against a fake device: the protocol's replies, one device programming
// per change of the earliest deadline, never-early expiry, 62 clients, and bad requests (unknown
// labels, short counts, deadline overflow, floods) answered with TIMER_ERR without harm to others.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "pds/timer/TimerDriver.h"

namespace corokit::pds {
namespace {

class FakeDevice final : public TimerHardware {
 public:
  std::uint64_t time = 1'000;
  bool armed = false;
  std::uint64_t deadline = 0;
  bool expired = false;
  std::vector<std::uint64_t> programs;  // every program() value; UINT64_MAX for disarm()

  std::uint64_t now() noexcept override { return time; }
  void program(std::uint64_t d) noexcept override {
    armed = true;
    deadline = d;
    expired = false;
    programs.push_back(d);
  }
  void disarm() noexcept override {
    armed = false;
    expired = false;
    programs.push_back(UINT64_MAX);
  }
  bool consume_expiry() noexcept override {
    const bool was = expired;
    expired = false;
    return was;
  }
  // Moves the clock; returns true when the device fires (it would raise the IRQ).
  bool advance_to(std::uint64_t t) {
    time = t;
    if (armed && deadline <= t) {
      armed = false;
      expired = true;
      return true;
    }
    return false;
  }
};

class TimerDriverTest : public ::testing::Test {
 protected:
  TimerDriver::Reply call(unsigned ch, std::uint64_t label, unsigned count = 0, std::uint64_t mr0 = 0) {
    return driver.handle(ch, label, count, mr0, notified);
  }
  // Runs the clock to `t`, delivering the interrupt if the device fires.
  void run_to(std::uint64_t t) {
    if (device.advance_to(t)) driver.on_interrupt(notified);
  }
  std::uint64_t take_notified() { return std::exchange(notified, 0); }

  FakeDevice device;
  TimerDriver driver{device};
  std::uint64_t notified = 0;
};

TEST_F(TimerDriverTest, GetTimeAndGetInfo) {
  TimerDriver::Reply r = call(4, CK_TIMER_GET_TIME);
  EXPECT_EQ(r.label, static_cast<std::uint64_t>(CK_TIMER_OK));
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(r.mr[0], 1'000u);
  r = call(4, CK_TIMER_GET_INFO);
  EXPECT_EQ(r.label, static_cast<std::uint64_t>(CK_TIMER_OK));
  ASSERT_EQ(r.count, 2u);
  EXPECT_EQ(r.mr[0], CK_TIMER_PROTOCOL_VERSION);
  EXPECT_EQ(r.mr[1], 1u);
}

TEST_F(TimerDriverTest, AClientIsNotifiedAtItsDeadlineNeverEarly) {
  EXPECT_EQ(call(2, CK_TIMER_SET_DEADLINE, 1, 5'000).label, static_cast<std::uint64_t>(CK_TIMER_OK));
  EXPECT_EQ(device.programs, std::vector<std::uint64_t>{5'000});
  run_to(4'999);
  EXPECT_EQ(notified, 0u);
  run_to(5'000);
  EXPECT_EQ(take_notified(), std::uint64_t{1} << 2);
  EXPECT_FALSE(device.armed);
  std::uint64_t d;
  EXPECT_FALSE(driver.pending(2, d));
}

TEST_F(TimerDriverTest, SetTimeoutIsRelativeAndSaturates) {
  call(1, CK_TIMER_SET_TIMEOUT, 1, 250);
  std::uint64_t d = 0;
  ASSERT_TRUE(driver.pending(1, d));
  EXPECT_EQ(d, 1'250u);
  call(1, CK_TIMER_SET_TIMEOUT, 1, UINT64_MAX);
  ASSERT_TRUE(driver.pending(1, d));
  EXPECT_EQ(d, CK_TIMER_MAX_DEADLINE);
}

TEST_F(TimerDriverTest, APastDeadlineExpiresAtOnce) {
  call(7, CK_TIMER_SET_DEADLINE, 1, 999);
  EXPECT_EQ(take_notified(), std::uint64_t{1} << 7);
  call(7, CK_TIMER_SET_TIMEOUT, 1, 0);
  EXPECT_EQ(take_notified(), std::uint64_t{1} << 7);
  EXPECT_TRUE(device.programs.empty());
}

TEST_F(TimerDriverTest, TheDeviceIsProgrammedOncePerChangeOfTheEarliestDeadline) {
  call(0, CK_TIMER_SET_DEADLINE, 1, 9'000);   // earliest 9000: program
  call(1, CK_TIMER_SET_DEADLINE, 1, 12'000);  // later: no change
  call(2, CK_TIMER_SET_DEADLINE, 1, 9'000);   // equal: no change
  call(3, CK_TIMER_SET_DEADLINE, 1, 4'000);   // earlier: program
  call(3, CK_TIMER_SET_DEADLINE, 1, 4'000);   // same again: no change
  call(1, CK_TIMER_CANCEL);                   // not the earliest: no change
  EXPECT_EQ(device.programs, (std::vector<std::uint64_t>{9'000, 4'000}));
  call(3, CK_TIMER_CANCEL);                   // the earliest goes: back to 9000
  EXPECT_EQ(device.programs.back(), 9'000u);
  run_to(9'000);                               // 0 and 2 expire together; nothing left: no program
  EXPECT_EQ(take_notified(), (std::uint64_t{1} << 0) | (std::uint64_t{1} << 2));
  EXPECT_EQ(device.programs.size(), 3u);
  EXPECT_EQ(driver.stats().programmings, 3u);
  call(5, CK_TIMER_SET_DEADLINE, 1, 20'000);
  call(5, CK_TIMER_CANCEL);                    // the only deadline goes: disarm
  EXPECT_EQ(device.programs.back(), UINT64_MAX);
  EXPECT_FALSE(device.armed);
}

TEST_F(TimerDriverTest, ANewDeadlineReplacesTheClientsPendingOne) {
  call(0, CK_TIMER_SET_DEADLINE, 1, 3'000);
  call(0, CK_TIMER_SET_DEADLINE, 1, 8'000);
  run_to(5'000);
  EXPECT_EQ(notified, 0u);
  run_to(8'000);
  EXPECT_EQ(take_notified(), 1u);
}

TEST_F(TimerDriverTest, SixtyTwoClientsEachWithItsOwnDeadline) {
  for (unsigned ch = 0; ch < 62; ++ch) call(ch, CK_TIMER_SET_DEADLINE, 1, 10'000 + 100 * (61 - ch));
  std::uint64_t all = 0;
  for (std::uint64_t t = 10'000; t <= 16'100; t += 100) {
    run_to(t);
    const std::uint64_t got = take_notified();
    ASSERT_EQ(got, std::uint64_t{1} << (61 - (t - 10'000) / 100)) << "t=" << t;
    all |= got;
  }
  EXPECT_EQ(all, (std::uint64_t{1} << 62) - 1);
  // Each set was earlier than the last (62), then one after each interrupt but the last (61); a
  // one-shot device that fired needs no disarming.
  EXPECT_EQ(driver.stats().programmings, 123u);
}

TEST_F(TimerDriverTest, SpuriousInterruptsChangeNothing) {
  call(3, CK_TIMER_SET_DEADLINE, 1, 5'000);
  driver.on_interrupt(notified);
  EXPECT_EQ(notified, 0u);
  EXPECT_EQ(driver.stats().spurious_interrupts, 1u);
  EXPECT_EQ(device.programs.size(), 1u);
  run_to(5'000);
  EXPECT_EQ(take_notified(), std::uint64_t{1} << 3);
}

TEST_F(TimerDriverTest, BadRequestsGetAnErrorAndLeaveTheClientsStateAlone) {
  call(3, CK_TIMER_SET_DEADLINE, 1, 7'000);
  const std::uint64_t err = CK_TIMER_ERR;
  EXPECT_EQ(call(3, 99).label, err);                                        // unknown label
  EXPECT_EQ(call(3, CK_TIMER_SET_DEADLINE, 0).label, err);                  // count too small
  EXPECT_EQ(call(3, CK_TIMER_SET_TIMEOUT, 0).label, err);
  EXPECT_EQ(call(3, CK_TIMER_SET_DEADLINE, 1, CK_TIMER_MAX_DEADLINE + 1).label, err);  // overflow
  EXPECT_EQ(call(3, CK_TIMER_SET_DEADLINE, 1, UINT64_MAX).label, err);
  EXPECT_EQ(call(62, CK_TIMER_GET_TIME).label, err);                        // no such client
  EXPECT_EQ(call(3, CK_TIMER_SET_DEADLINE, 1, CK_TIMER_MAX_DEADLINE).label, static_cast<std::uint64_t>(CK_TIMER_OK));
  std::uint64_t d;
  ASSERT_TRUE(driver.pending(3, d));
  EXPECT_EQ(d, CK_TIMER_MAX_DEADLINE);
  const TimerDriver::ClientStats& s = driver.client_stats(3);
  EXPECT_EQ(s.bad_label, 1u);
  EXPECT_EQ(s.bad_count, 2u);
  EXPECT_EQ(s.overflow, 2u);
  EXPECT_EQ(call(3, 1ull << 40, 5).label, err);  // labels are 52 bits wide; any unknown one is refused
}

TEST_F(TimerDriverTest, AFloodingClientIsRefusedAndTheOthersAreServedAsUsual) {
  call(9, CK_TIMER_SET_DEADLINE, 1, 500'000);  // the well-behaved client
  unsigned refused = 0;
  for (int i = 0; i < 5'000; ++i) {  // 5000 requests at one instant
    if (call(4, CK_TIMER_SET_DEADLINE, 1, 600'000 + static_cast<std::uint64_t>(i)).label == CK_TIMER_ERR) ++refused;
  }
  EXPECT_EQ(refused, 5'000u - 1'024u);
  EXPECT_EQ(driver.client_stats(4).flooded, refused);
  std::uint64_t d;
  ASSERT_TRUE(driver.pending(4, d));
  EXPECT_EQ(d, 600'000u + 1'023u);  // the last request that was accepted
  // Reads are never limited, and the budget comes back with time.
  EXPECT_EQ(call(4, CK_TIMER_GET_TIME).label, static_cast<std::uint64_t>(CK_TIMER_OK));
  run_to(1'000 + 100'000);  // 100 us: 10 tokens
  unsigned accepted = 0;
  for (int i = 0; i < 20; ++i) accepted += call(4, CK_TIMER_CANCEL).label == CK_TIMER_OK;
  EXPECT_EQ(accepted, 10u);
  // The other client was not touched, and expires on time.
  EXPECT_EQ(call(9, CK_TIMER_GET_TIME).label, static_cast<std::uint64_t>(CK_TIMER_OK));
  run_to(500'000);
  EXPECT_EQ(take_notified(), std::uint64_t{1} << 9);  // the flooder cancelled its deadline
  EXPECT_EQ(driver.client_stats(9).flooded, 0u);
}

}  // namespace
}  // namespace corokit::pds
