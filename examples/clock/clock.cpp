// A periodic task that prints the time: an Interval on the PD's timer service, one tick a second,
// on the grid (no drift), reporting how late each tick woke up.
#include "sdk/AsyncPd.h"
#include "sdk/PdTimers.h"

extern "C" {
uintptr_t clock_page = 0;  // setvar_vaddr="clock_page"
}

namespace {

using namespace corokit;
using namespace corokit::exec::time_literals;

constexpr unsigned kTimerChannel = 0;

// "12.000034567" (seconds with nanoseconds) into `out`.
const char* seconds(std::uint64_t ns, char (&out)[32]) {
  char digits[24];
  unsigned n = 0;
  std::uint64_t whole = ns / 1'000'000'000;
  do {
    digits[n++] = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole != 0);
  unsigned at = 0;
  while (n != 0) out[at++] = digits[--n];
  out[at++] = '.';
  std::uint64_t fraction = ns % 1'000'000'000;
  for (std::uint64_t unit = 100'000'000; unit != 0; unit /= 10) {
    out[at++] = static_cast<char>('0' + fraction / unit);
    fraction %= unit;
  }
  out[at] = '\0';
  return out;
}

exec::Task<void> tick(exec::TimerService& timers) {
  exec::Interval every(timers, 1_s);
  for (std::uint64_t n = 1;; ++n) {
    const exec::Tick tick = co_await every.tick();
    const exec::Instant now = timers.now();
    char text[32];
    const std::uint64_t late_us = (now - tick.scheduled).ns() / 1'000;
    if (tick.missed == 0) {
      log::info("tick ", n, " at ", seconds(now.ns(), text), " s, ", late_us, " us late");
    } else {
      log::info("tick ", n, " at ", seconds(now.ns(), text), " s, ", late_us, " us late, ", tick.missed, " missed");
    }
  }
}

}  // namespace

struct Clock {
  PdTimers timers{kTimerChannel, clock_page};

  void start(exec::AsyncPd& pd) {
    exec::TimerService& service = timers.start(pd);
    char text[32];
    log::info("started at ", seconds(service.now().ns(), text), " s");
    pd.spawn_detached(tick(service));
  }
};
COROKIT_ASYNC_PD(Clock, 64 * 1024);
