// The timer driver's logic (pds/timer/TimerDriver) under arbitrary client requests: any channel,
// label, count and MR0, with time moving and interrupts arriving. It must never crash, must answer
// every request with OK or TIMER_ERR, must keep the device programmed for exactly the earliest
// pending deadline, must never notify a client early, and must serve a well-behaved client on
// channel 61 (which the input cannot use) on time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "pds/timer/TimerDriver.h"

namespace {

using corokit::pds::TimerDriver;
using corokit::pds::TimerHardware;

struct FakeDevice final : TimerHardware {
  std::uint64_t time = 1'000;
  bool armed = false;
  std::uint64_t deadline = 0;
  bool expired = false;
  std::uint64_t now() noexcept override { return time; }
  void program(std::uint64_t d) noexcept override {
    armed = true;
    deadline = d;
    expired = false;
  }
  void disarm() noexcept override { armed = expired = false; }
  bool consume_expiry() noexcept override {
    const bool was = expired;
    expired = false;
    return was;
  }
};

struct Input {
  const std::uint8_t* data;
  std::size_t size;
  template <class T>
  T take() {
    T v{};
    const std::size_t n = size < sizeof v ? size : sizeof v;
    std::memcpy(&v, data, n);
    data += n;
    size -= n;
    return v;
  }
};

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr unsigned kGood = 61;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FakeDevice device;
  TimerDriver driver(device);
  std::uint64_t notified = 0;
  const std::uint64_t good_deadline = 1'000 + 5'000'000;
  check(driver.handle(kGood, CK_TIMER_SET_DEADLINE, 1, good_deadline, notified).label == CK_TIMER_OK);
  bool good_served = false;
  std::uint64_t deadlines[TimerDriver::kMaxClients] = {};  // what each client last had pending

  auto deliver = [&](std::uint64_t bits) {
    for (unsigned ch = 0; ch < TimerDriver::kMaxClients; ++ch) {
      if ((bits >> ch & 1) == 0) continue;
      if (ch == kGood) {
        check(device.time >= good_deadline);
        good_served = true;
      }
    }
  };
  auto fire = [&] {
    if (device.armed && device.deadline <= device.time) {
      device.armed = false;
      device.expired = true;
    }
    std::uint64_t bits = 0;
    driver.on_interrupt(bits);
    // Never early: every notified client's deadline had passed.
    for (unsigned ch = 0; ch < TimerDriver::kMaxClients; ++ch) {
      if (bits >> ch & 1) check(deadlines[ch] <= device.time || ch == kGood);
    }
    deliver(bits);
  };

  Input in{data, size};
  while (in.size > 0) {
    const std::uint8_t op = in.take<std::uint8_t>();
    if (op % 4 == 0) {
      device.time += in.take<std::uint32_t>() % 2'000'000;
      fire();
    } else if (op % 4 == 1) {
      fire();  // possibly spurious
    } else {
      const unsigned channel = in.take<std::uint8_t>() % 64;  // 62, 63: not a client
      std::uint64_t label = in.take<std::uint8_t>();
      if (label > 8) label = in.take<std::uint64_t>();
      const unsigned count = in.take<std::uint8_t>() % 4;
      std::uint64_t mr0 = in.take<std::uint64_t>();
      if (op & 0x10) mr0 = device.time + mr0 % 4'000'000;  // mostly near deadlines
      if (channel == kGood) continue;
      std::uint64_t bits = 0;
      const TimerDriver::Reply reply = driver.handle(channel, label, count, mr0, bits);
      check(reply.label == CK_TIMER_OK || reply.label == CK_TIMER_ERR);
      check(reply.count <= 2);
      std::uint64_t pending = 0;
      if (channel < TimerDriver::kMaxClients && driver.pending(channel, pending)) deadlines[channel] = pending;
      for (unsigned ch = 0; ch < TimerDriver::kMaxClients; ++ch) {
        if (bits >> ch & 1) check(ch == channel);  // a request can only expire its own deadline
      }
      deliver(bits);
    }
    // The device is programmed for exactly the earliest pending deadline, or disarmed.
    bool any = false;
    std::uint64_t earliest = 0;
    for (unsigned ch = 0; ch < TimerDriver::kMaxClients; ++ch) {
      std::uint64_t d = 0;
      if (driver.pending(ch, d) && (!any || d < earliest)) {
        earliest = d;
        any = true;
      }
    }
    std::uint64_t programmed = 0;
    const bool armed = driver.programmed(programmed);
    check(armed == any && (!any || programmed == earliest));
  }
  // The good client is served once its deadline passes, whatever the others did.
  device.time += 6'000'000;
  fire();
  check(good_served);
  return 0;
}
