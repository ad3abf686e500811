// A client of the timer driver written as coroutines: sleeps of many lengths, timeouts that fire and
// that do not, a cancelled sleep, an interval, and the clock page checked against GET_TIME. It
// prints one line per result for tests/timer/TimerSystemTest.cpp, then "done".
#include <initializer_list>

#include "executor/TaskScope.h"
#include "sdk/AsyncPd.h"
#include "sdk/PdTimers.h"

extern "C" {
uintptr_t clock_page = 0;
}

namespace {

using namespace corokit;
using namespace corokit::exec;
using namespace corokit::exec::time_literals;

constexpr unsigned kTimerChannel = 0;

// Lateness, or "EARLY" for a wake-up before the deadline (which must never happen).
void report_wake(const char* what, Duration length, Instant deadline, Instant woke, unsigned order) {
  if (woke < deadline) {
    log::info(what, " ", length.ns(), " EARLY by ", (deadline - woke).ns(), " ns");
  } else {
    log::info(what, " ", length.ns(), " order ", order, " late_ns ", (woke - deadline).ns());
  }
}

unsigned g_woken = 0;

Task<void> sleep_until_one(TimerService& timers, Instant base, Duration length) {
  const Instant deadline = base + length;
  co_await timers.sleep_until(deadline);
  report_wake("sleep", length, deadline, timers.now(), ++g_woken);
}

// Sleeps of many lengths from one base instant, started in a scrambled order: they must wake in
// deadline order.
Task<void> sleeps(Executor& executor, TimerService& timers) {
  const Instant base = timers.now();
  TaskScope scope(executor);
  for (std::uint64_t us : {20'000, 300, 100'000, 1'000, 50'000, 100, 5'000, 200'000, 2'000, 10'000}) {
    scope.spawn(sleep_until_one(timers, base, Duration::microseconds(us)));
  }
  co_await scope.join();
  const Instant before = timers.now();
  co_await timers.sleep_for(3_ms);
  report_wake("sleep_for", 3_ms, before + 3_ms, timers.now(), 0);
}

Task<int> value_after(TimerService& timers, Duration d, int value) {
  co_await timers.sleep_for(d);
  co_return value;
}

Task<void> timeouts(TimerService& timers) {
  Instant start = timers.now();
  Outcome<int> fired = co_await timers.timeout(20_ms, value_after(timers, 500_ms, 1));
  Duration waited = timers.now() - start;
  if (fired.is_cancelled() && waited >= 20_ms) {
    log::info("timeout fired after_ns ", waited.ns());
  } else {
    log::info("timeout WRONG: ", fired.has_value() ? "value" : "cancelled", " after_ns ", waited.ns());
  }
  start = timers.now();
  Outcome<int> kept = co_await timers.timeout(300_ms, value_after(timers, 5_ms, 5));
  waited = timers.now() - start;
  if (kept.has_value() && *kept == 5 && waited < 300_ms) {
    log::info("timeout kept value ", *kept, " after_ns ", waited.ns());
  } else {
    log::info("timeout WRONG: no value after_ns ", waited.ns());
  }
}

Task<void> never_prints(TimerService& timers) {
  co_await timers.sleep_for(300_ms);
  log::info("cancel WRONG: the cancelled sleep woke up");
}

Task<void> cancellation(AsyncPd& pd, TimerService& timers) {
  JoinHandle<void> sleeper = pd.spawn(never_prints(timers));
  co_await timers.sleep_for(10_ms);
  sleeper.cancel();
  Outcome<void> outcome = co_await sleeper;
  log::info(outcome.is_cancelled() ? "cancel ok" : "cancel WRONG: finished");
}

Task<void> interval(TimerService& timers) {
  constexpr unsigned kTicks = 20;
  Interval every(timers, 10_ms);
  const Instant first = every.next();
  bool on_grid = true;
  std::uint64_t max_late = 0, missed = 0;
  for (unsigned i = 0; i < kTicks; ++i) {
    const Tick tick = co_await every.tick();
    const Instant woke = timers.now();
    on_grid = on_grid && tick.scheduled >= first && (tick.scheduled - first).ns() % 10'000'000 == 0 && woke >= tick.scheduled;
    missed += tick.missed;
    if ((woke - tick.scheduled).ns() > max_late) max_late = (woke - tick.scheduled).ns();
  }
  log::info("interval ticks ", kTicks, on_grid ? " grid ok" : " grid WRONG", " missed ", missed, " max_late_ns ", max_late);
}

// The clock page and GET_TIME read the same clock: a GET_TIME answer lies between two page reads.
Task<void> clock_check(TimerClient& client, TimerService& timers) {
  bool ordered = true;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t before = client.now();
    const std::uint64_t driver = client.get_time();
    const std::uint64_t after = client.now();
    ordered = ordered && before <= driver && driver <= after;
    co_await timers.sleep_for(100_us);
  }
  log::info(client.uses_clock_page() ? "clock page in use" : "clock page NOT in use",
            ordered ? ", agrees with GET_TIME" : ", DISAGREES with GET_TIME");
}

Task<void> scenario(AsyncPd& pd, TimerClient& client, TimerService& timers) {
  TaskScope scope(pd.executor());
  scope.spawn(sleeps(pd.executor(), timers));
  scope.spawn(timeouts(timers));
  scope.spawn(cancellation(pd, timers));
  scope.spawn(interval(timers));
  scope.spawn(clock_check(client, timers));
  co_await scope.join();
  const TimerStats& s = timers.stats();
  // Every PPC this PD made: GET_INFO at first contact, the clock check's 100 GET_TIMEs, and the
  // SET_DEADLINEs: reading the time never took one.
  const std::uint64_t other = client.ppcalls() - 1 - 100 - s.deadline_requests;
  log::info("stats requests ", s.deadline_requests, " refused ", s.deadline_refused, " wakeups ", s.wakeups,
            " spurious ", s.spurious_wakeups, " expired ", s.expired, " other_ppcalls ", other);
  log::info("done");
}

}  // namespace

struct TimerClientPd {
  PdTimers timers{kTimerChannel, clock_page};

  void start(AsyncPd& pd) {
    TimerService& service = timers.start(pd);
    pd.spawn_detached(scenario(pd, timers.client(), service));
  }
};
COROKIT_ASYNC_PD(TimerClientPd, 256 * 1024);
