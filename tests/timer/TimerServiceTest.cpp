// The timer service with a fake clock: a PdHarness plays the runtime and a VirtualTimerDriver plays
// the timer driver, so wake-up times are exact and every SET_DEADLINE is counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "executor/Event.h"
#include "executor/Timer.h"
#include "executor/host/PdHarness.h"
#include "executor/host/VirtualTimerDriver.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using namespace time_literals;

constexpr ChannelId kTimer = 3;

class TimerServiceTest : public ::testing::Test {
 protected:
  TimerServiceTest() { testing::install_abort_on_panic(); }

  std::uint64_t t() const { return harness.now(); }

  PdHarness harness;
  VirtualTimerDriver driver{harness, kTimer};
  TimerService timers{harness.pd(), driver, kTimer};
  std::vector<std::pair<std::string, std::uint64_t>> log;  // (who, virtual time)
};

Task<void> sleeper(TimerService& timers, Duration d, std::string name, std::vector<std::pair<std::string, std::uint64_t>>& log) {
  co_await timers.sleep_for(d);
  log.emplace_back(name, timers.last_now().ns());
}

Task<void> sleeper_until(TimerService& timers, Instant at, std::string name,
                         std::vector<std::pair<std::string, std::uint64_t>>& log) {
  co_await timers.sleep_until(at);
  log.emplace_back(name, timers.now().ns());
}

TEST_F(TimerServiceTest, SleepsOfManyLengthsWakeInDeadlineOrderExactlyOnTime) {
  const std::uint64_t lengths[] = {5'000'000, 1, 999, 70'000'000'000, 1'000'000, 64, 65, 4'096, 300'000'000};
  for (std::uint64_t ns : lengths) {
    harness.pd().spawn_detached(sleeper(timers, Duration::nanoseconds(ns), std::to_string(ns), log));
  }
  harness.start();
  driver.advance(Duration::seconds(100));
  std::vector<std::pair<std::string, std::uint64_t>> want;
  std::vector<std::uint64_t> sorted(std::begin(lengths), std::end(lengths));
  std::sort(sorted.begin(), sorted.end());
  for (std::uint64_t ns : sorted) want.emplace_back(std::to_string(ns), ns);
  EXPECT_EQ(log, want);
  EXPECT_EQ(timers.pending(), 0u);
  // One request per wake-up after which timers remained, plus the first: no more.
  EXPECT_EQ(driver.requests().size(), sorted.size());
  EXPECT_EQ(timers.stats().spurious_wakeups, 0u);
}

TEST_F(TimerServiceTest, EqualDeadlinesWakeInTheOrderTheyWereAwaited) {
  for (const char* name : {"a", "b", "c", "d"}) {
    harness.pd().spawn_detached(sleeper_until(timers, Instant::from_ns(1'000), name, log));
  }
  harness.start();
  driver.advance(2'000_ns);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].first + log[1].first + log[2].first + log[3].first, "abcd");
  EXPECT_EQ(log[3].second, 1'000u);
}

TEST_F(TimerServiceTest, OneDeadlineRequestPerChangeOfTheEarliestDeadline) {
  // 100 sleeps, each earlier than the last, started in one turn: one request, for the earliest.
  for (int i = 100; i >= 1; --i) harness.pd().spawn_detached(sleeper(timers, Duration::milliseconds(i), "s", log));
  harness.start();
  ASSERT_EQ(driver.requests().size(), 1u);
  EXPECT_EQ(driver.requests()[0], 1'000'000u);
  // A later deadline does not change the earliest: no request.
  harness.pd().spawn_detached(sleeper(timers, 500_ms, "late", log));
  harness.run_until_idle();
  EXPECT_EQ(driver.requests().size(), 1u);
  // An earlier one does.
  harness.pd().spawn_detached(sleeper(timers, 10_us, "early", log));
  harness.run_until_idle();
  ASSERT_EQ(driver.requests().size(), 2u);
  EXPECT_EQ(driver.requests()[1], 10'000u);
  driver.advance(1_s);
  EXPECT_EQ(log.size(), 102u);
  EXPECT_EQ(timers.stats().expired, 102u);
  EXPECT_EQ(timers.stats().spurious_wakeups, 0u);
  EXPECT_EQ(driver.requests().size(), 2u + 101u);  // then one per wake-up that left timers behind
}

TEST_F(TimerServiceTest, CancellingIssuesNoRequestAndCostsOneSpuriousWakeUp) {
  JoinHandle<void> first = harness.pd().spawn(sleeper(timers, 1_ms, "first", log));
  harness.pd().spawn_detached(sleeper(timers, 5_ms, "second", log));
  harness.start();
  ASSERT_EQ(driver.requests().size(), 1u);
  first.cancel();
  harness.run_until_idle();
  EXPECT_TRUE(first.cancelled());
  EXPECT_EQ(timers.pending(), 1u);
  EXPECT_EQ(driver.requests().size(), 1u);  // the 1 ms deadline stays armed
  driver.advance(1_ms);
  EXPECT_EQ(timers.stats().spurious_wakeups, 1u);
  ASSERT_EQ(driver.requests().size(), 2u);  // then the re-arm for 5 ms
  EXPECT_EQ(driver.requests()[1], 5'000'000u);
  driver.advance(10_ms);
  EXPECT_EQ(log, (std::vector<std::pair<std::string, std::uint64_t>>{{"second", 5'000'000}}));
}

TEST_F(TimerServiceTest, SpuriousNotificationsAreHarmless) {
  harness.pd().spawn_detached(sleeper(timers, 2_ms, "s", log));
  harness.start();
  driver.notify_spuriously();
  driver.notify_spuriously();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(timers.stats().spurious_wakeups, 2u);
  EXPECT_EQ(driver.requests().size(), 1u);  // still armed: no re-arm
  driver.advance(2_ms);
  EXPECT_EQ(log.size(), 1u);
}

TEST_F(TimerServiceTest, PassedDeadlinesFireAtTheEndOfTheTurnInDeadlineOrderWithoutAskingTheDriver) {
  driver.advance(1_s);
  harness.pd().spawn_detached(sleeper(timers, Duration::zero(), "zero", log));  // deadline 1 s
  harness.pd().spawn_detached(sleeper_until(timers, Instant::from_ns(5), "past", log));
  harness.pd().spawn_detached(sleeper_until(timers, Instant::from_ns(500), "less past", log));
  // The turn's end fires all three, and the tasks it woke run in the same turn (AsyncPd::run_turn).
  EXPECT_FALSE(harness.run_turn().more_work);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].first + ", " + log[1].first + ", " + log[2].first, "past, less past, zero");
  EXPECT_TRUE(driver.requests().empty());
}

TEST_F(TimerServiceTest, ADeadlineThatPassesBeforeTheTurnEndsExpiresWithoutARequest) {
  // The deadline is in the future when the task sleeps, in the past when the turn ends.
  struct SlowClock final : TimerDevice {
    PdHarness& h;
    int reads = 0;
    explicit SlowClock(PdHarness& harness) : h(harness) {}
    std::uint64_t now() noexcept override { return reads++ == 0 ? h.now() : h.now() + 1'000; }
    bool set_deadline(std::uint64_t) noexcept override { return true; }
  };
  PdHarness other;
  SlowClock clock(other);
  {
    TimerService service(other.pd(), clock, kTimer);
    std::vector<std::pair<std::string, std::uint64_t>> other_log;
    other.pd().spawn_detached(sleeper(service, 10_ns, "quick", other_log));
    other.start();
    EXPECT_EQ(other_log.size(), 1u);
    EXPECT_EQ(service.stats().deadline_requests, 0u);
  }
}

TEST_F(TimerServiceTest, ARefusedRequestIsRetriedInAnotherTurnWithoutWaiting) {
  driver.refuse_requests(true);
  harness.pd().spawn_detached(sleeper(timers, 1_ms, "s", log));
  EXPECT_TRUE(harness.run_turn().more_work);  // refused: the PD must not go to sleep
  EXPECT_TRUE(harness.run_turn().more_work);
  EXPECT_EQ(timers.stats().deadline_refused, 2u);
  EXPECT_FALSE(timers.armed());
  driver.refuse_requests(false);
  EXPECT_FALSE(harness.run_turn().more_work);
  EXPECT_TRUE(timers.armed());
  driver.advance(1_ms);
  EXPECT_EQ(log.size(), 1u);
}

TEST_F(TimerServiceTest, DeadlinesBeyondTheDriversRangeAreNeverArmed) {
  JoinHandle<void> forever = harness.pd().spawn(sleeper(timers, Duration::max(), "never", log));
  harness.start();
  EXPECT_TRUE(driver.requests().empty());
  driver.advance(1'000_s);
  EXPECT_TRUE(log.empty());
  forever.cancel();
  harness.run_until_idle();
  EXPECT_EQ(timers.pending(), 0u);
}

// A clock that moves 1 us per read, so a polling PD sees time pass.
struct TickingClock final : TimerDevice {
  std::uint64_t time = 0;
  std::vector<std::uint64_t> requests;
  std::uint64_t now() noexcept override { return time += 1'000; }
  bool set_deadline(std::uint64_t deadline) noexcept override {
    requests.push_back(deadline);
    return true;
  }
};

TEST_F(TimerServiceTest, SpinningWakesEarlyAndExpiresOnTime) {
  PdHarness other;
  TickingClock clock;
  TimerService spinning(other.pd(), clock, kTimer, TimerConfig{20_us});
  std::vector<std::pair<std::string, std::uint64_t>> other_log;
  other.pd().spawn_detached(sleeper_until(spinning, Instant::from_ns(100'000), "precise", other_log));
  other.start();
  ASSERT_EQ(clock.requests, std::vector<std::uint64_t>{80'000});  // the driver wakes us 20 us early
  clock.time = 80'000;                                            // ... and does
  other.deliver(kTimer);                                          // turns poll until 100 us
  ASSERT_EQ(other_log.size(), 1u);
  EXPECT_GE(other_log[0].second, 100'000u);
  EXPECT_LE(other_log[0].second, 103'000u);
  EXPECT_GE(spinning.stats().spin_turns, 15u);
  EXPECT_EQ(spinning.stats().spurious_wakeups, 0u);
  EXPECT_EQ(clock.requests.size(), 1u);
}

Task<int> answer_after(TimerService& timers, Duration d, testing::Tracker& tracker) {
  testing::Tracked alive(tracker);
  co_await timers.sleep_for(d);
  co_return 42;
}

Task<void> with_timeout(TimerService& timers, Duration work, Duration limit, testing::Tracker& tracker,
                        std::vector<std::pair<std::string, std::uint64_t>>& log) {
  Outcome<int> r = co_await timers.timeout(limit, answer_after(timers, work, tracker));
  log.emplace_back(r ? "value " + std::to_string(*r) : std::string("timed out"), timers.now().ns());
}

TEST_F(TimerServiceTest, ATimeoutThatFiresCancelsTheTaskAtItsDeadline) {
  testing::Tracker tracker;
  harness.pd().spawn_detached(with_timeout(timers, 10_ms, 5_ms, tracker, log));
  harness.start();
  EXPECT_EQ(tracker.alive(), 1);
  driver.advance(20_ms);
  EXPECT_EQ(log, (std::vector<std::pair<std::string, std::uint64_t>>{{"timed out", 5'000'000}}));
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(TimerServiceTest, ATimeoutThatDoesNotFireYieldsTheValue) {
  testing::Tracker tracker;
  harness.pd().spawn_detached(with_timeout(timers, 1_ms, 5_ms, tracker, log));
  harness.start();
  driver.advance(20_ms);
  EXPECT_EQ(log, (std::vector<std::pair<std::string, std::uint64_t>>{{"value 42", 1'000'000}}));
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(timers.pending(), 0u);
  // The 5 ms deadline was never the earliest while it was pending, so it was never armed.
  EXPECT_EQ(driver.requests(), std::vector<std::uint64_t>{1'000'000});
  EXPECT_EQ(timers.stats().spurious_wakeups, 0u);
}

TEST_F(TimerServiceTest, ATimeoutAlreadyPassedCancelsTheTaskAtItsFirstSuspension) {
  testing::Tracker tracker;
  driver.advance(1_s);
  harness.pd().spawn_detached(with_timeout(timers, 1_ms, Duration::zero(), tracker, log));
  harness.start();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].first, "timed out");
  EXPECT_EQ(log[0].second, 1'000'000'000u);
  EXPECT_EQ(tracker.constructed, 1);
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST_F(TimerServiceTest, CancellingTheAwaiterOfATimeoutDestroysTheTaskAndTheTimer) {
  testing::Tracker tracker;
  JoinHandle<void> outer = harness.pd().spawn(with_timeout(timers, 10_ms, 5_ms, tracker, log));
  harness.start();
  EXPECT_EQ(timers.pending(), 2u);
  outer.cancel();
  harness.run_until_idle();
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(timers.pending(), 0u);
  driver.advance(20_ms);
  EXPECT_TRUE(log.empty());
}

Task<void> void_work(TimerService& timers, Duration d) { co_await timers.sleep_for(d); }

Task<void> void_timeout(TimerService& timers, std::vector<std::pair<std::string, std::uint64_t>>& log) {
  Outcome<void> fast = co_await timers.timeout(2_ms, void_work(timers, 1_ms));
  Outcome<void> slow = co_await timers.timeout_at(timers.now() + 2_ms, void_work(timers, 3_ms));
  log.emplace_back(std::string(fast ? "fast done" : "fast timed out") + ", " + (slow ? "slow done" : "slow timed out"),
                   timers.now().ns());
}

TEST_F(TimerServiceTest, TimeoutsOfVoidTasks) {
  harness.pd().spawn_detached(void_timeout(timers, log));
  harness.start();
  driver.advance(1_s);
  EXPECT_EQ(log, (std::vector<std::pair<std::string, std::uint64_t>>{{"fast done, slow timed out", 3'000'000}}));
}

struct TickLog {
  std::vector<std::uint64_t> scheduled, woke, missed;
};

// Takes `count` ticks; before tick number `pause_at` waits for `resume` (while time goes on).
Task<void> ticker(Interval& interval, int count, int pause_at, Event& resume, TickLog& out) {
  for (int i = 0; i < count; ++i) {
    if (i == pause_at) co_await resume;
    Tick tick = co_await interval.tick();
    out.scheduled.push_back(tick.scheduled.ns());
    out.woke.push_back(timers().last_now().ns());
    out.missed.push_back(tick.missed);
  }
}

class IntervalTest : public TimerServiceTest {
 protected:
  TickLog run(MissedTicks policy) {
    TickLog out;
    Event resume;
    Interval interval(timers, Instant::from_ns(1'000'000), 1_ms, policy);
    harness.pd().spawn_detached(ticker(interval, 8, 3, resume, out));
    harness.start();
    driver.advance_to(3'500'000);         // ticks at 1, 2, 3 ms; then the task pauses
    driver.advance_to(6'200'000);         // ticks at 4, 5, 6 ms are missed
    resume.set();
    harness.run_until_idle();
    driver.advance_to(20'000'000);
    return out;
  }
};

TEST_F(IntervalTest, TicksFollowTheGridWithoutDrift) {
  TickLog out;
  Event never;
  Interval interval(timers, 250_us, MissedTicks::Skip);
  harness.pd().spawn_detached(ticker(interval, 1000, -1, never, out));
  harness.start();
  driver.advance(1_s);
  ASSERT_EQ(out.scheduled.size(), 1000u);
  for (std::size_t i = 0; i < out.scheduled.size(); ++i) {
    ASSERT_EQ(out.scheduled[i], 250'000 * (i + 1));
    ASSERT_EQ(out.woke[i], out.scheduled[i]);
    ASSERT_EQ(out.missed[i], 0u);
  }
}

TEST_F(IntervalTest, BurstDeliversEveryMissedTickAtOnce) {
  TickLog out = run(MissedTicks::Burst);
  EXPECT_EQ(out.scheduled, (std::vector<std::uint64_t>{1'000'000, 2'000'000, 3'000'000, 4'000'000, 5'000'000,
                                                        6'000'000, 7'000'000, 8'000'000}));
  EXPECT_EQ(out.woke[3], 6'200'000u);
  EXPECT_EQ(out.woke[5], 6'200'000u);
  EXPECT_EQ(out.woke[6], 7'000'000u);
}

TEST_F(IntervalTest, SkipDropsMissedTicksAndKeepsTheGrid) {
  TickLog out = run(MissedTicks::Skip);
  EXPECT_EQ(out.scheduled, (std::vector<std::uint64_t>{1'000'000, 2'000'000, 3'000'000, 4'000'000, 7'000'000,
                                                        8'000'000, 9'000'000, 10'000'000}));
  EXPECT_EQ(out.missed[3], 2u);  // 5 and 6 ms were dropped
  EXPECT_EQ(out.woke[4], 7'000'000u);
}

TEST_F(IntervalTest, DelayRestartsTheGridAfterALateTick) {
  TickLog out = run(MissedTicks::Delay);
  EXPECT_EQ(out.scheduled, (std::vector<std::uint64_t>{1'000'000, 2'000'000, 3'000'000, 4'000'000, 7'200'000,
                                                        8'200'000, 9'200'000, 10'200'000}));
  EXPECT_EQ(out.missed[3], 2u);
}

Task<void> free_functions(std::vector<std::pair<std::string, std::uint64_t>>& log) {
  const Instant start = now();
  co_await sleep_for(3_us);
  co_await sleep_until(start + 10_us);
  Outcome<int> r = co_await timeout(1_ms, [](TimerService& t) -> Task<int> {
    co_await t.sleep_for(1_us);
    co_return 7;
  }(timers()));
  log.emplace_back("free " + std::to_string(*r), now().ns());
}

TEST_F(TimerServiceTest, FreeFunctionsUseTheInstalledService) {
  EXPECT_EQ(TimerService::installed(), &timers);
  harness.pd().spawn_detached(free_functions(log));
  harness.start();
  driver.advance(1_ms);
  EXPECT_EQ(log, (std::vector<std::pair<std::string, std::uint64_t>>{{"free 7", 11'000}}));
}

TEST_F(TimerServiceTest, AHundredThousandSleepersWakeInOrder) {
  constexpr int kCount = 100'000;
  std::vector<std::uint64_t> woke;
  woke.reserve(kCount);
  auto task = [](TimerService& t, std::uint64_t at, std::vector<std::uint64_t>& out) -> Task<void> {
    co_await t.sleep_until(Instant::from_ns(at));
    out.push_back(at);
  };
  std::uint64_t x = 12345;
  for (int i = 0; i < kCount; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    harness.pd().spawn_detached(task(timers, 1'000 + (x >> 40) % 1'000'000'000, woke));
  }
  harness.start();
  driver.advance(2_s);
  ASSERT_EQ(woke.size(), static_cast<std::size_t>(kCount));
  EXPECT_TRUE(std::is_sorted(woke.begin(), woke.end()));
  EXPECT_LE(driver.requests().size(), static_cast<std::size_t>(kCount));
}


// A driver with virtual time that records nothing, so the test below counts only the PD's
// allocations.
struct QuietDriver final : TimerDevice {
  explicit QuietDriver(PdHarness& h) : harness(h) {}
  std::uint64_t now() noexcept override { return harness.now(); }
  bool set_deadline(std::uint64_t d) noexcept override {
    armed = true;
    deadline = d;
    return true;
  }
  void advance_to(std::uint64_t target) {
    while (armed && deadline <= target) {
      if (deadline > harness.now()) harness.advance_time(deadline - harness.now());
      armed = false;
      harness.deliver(kTimer);
    }
    if (target > harness.now()) harness.advance_time(target - harness.now());
  }
  PdHarness& harness;
  std::uint64_t deadline = 0;
  bool armed = false;
};

Task<int> value_later(TimerService& timers, Duration d, int value) {
  co_await timers.sleep_for(d);
  co_return value;
}

// Sleeps, timeouts that fire and that do not, and interval ticks, forever.
Task<void> timer_workout(TimerService& timers, std::uint64_t& rounds) {
  Interval every(timers, 50_us);
  for (std::uint64_t i = 0;; ++i) {
    co_await timers.sleep_for(Duration::microseconds(1 + i % 7));
    Outcome<int> kept = co_await timers.timeout(5_us, value_later(timers, 1_us, 1));
    Outcome<int> fired = co_await timers.timeout(1_us, value_later(timers, 10_us, 2));
    if (!kept || fired) panic("timer_workout: wrong timeout outcome");
    co_await every.tick();
    ++rounds;
  }
}

TEST(TimerAllocation, TimersAllocateNothingInSteadyState) {
  testing::install_abort_on_panic();
  PdHarness harness;
  QuietDriver driver(harness);
  TimerService timers(harness.pd(), driver, kTimer);
  std::uint64_t rounds = 0;
  JoinHandle<void> task = harness.pd().spawn(timer_workout(timers, rounds));
  harness.start();
  driver.advance_to(1'000'000);  // warm the frame pool
  const std::uint64_t heap_before = testing::heap_allocations();
  const auto chunks_before = harness.frames().stats().chunks;
  const std::uint64_t rounds_before = rounds;
  driver.advance_to(101'000'000);
  EXPECT_EQ(testing::heap_allocations(), heap_before);
  EXPECT_EQ(harness.frames().stats().chunks, chunks_before);
  EXPECT_GE(rounds - rounds_before, 1000u);  // 100 ms of 50 us ticks, every round ran
  task.cancel();
  harness.run_until_idle();
  EXPECT_EQ(timers.pending(), 0u);
}

}  // namespace
}  // namespace corokit::exec

namespace corokit::exec {
namespace {

Task<int> wait_for_event(Event& event) {
  co_await event;
  co_return 1;
}

// Many connections, each reading under a long idle timeout while a short Interval ticks: reads that
// complete cancel their timeouts, and no other timeout may fire early.
Task<void> reader(TimerService& timers, Event& first, Event& second, int& early) {
  Outcome<int> a = co_await timers.timeout(10_s, wait_for_event(first));
  if (!a) ++early;
  Outcome<int> b = co_await timers.timeout(10_s, wait_for_event(second));
  if (!b && timers.now().ns() < 10'000'000'000ull) ++early;
}

Task<void> ticker(TimerService& timers, int& ticks) {
  Interval every(timers, 100_ms);
  while (ticks < 20) {
    co_await every.tick();
    ++ticks;
  }
}

TEST_F(TimerServiceTest, ManyLongTimeoutsNeverFireEarlyWhileOthersAreCancelled) {
  constexpr int kReaders = 64;
  std::vector<Event> first(kReaders), second(kReaders);
  int early = 0, ticks = 0;
  harness.pd().spawn_detached(ticker(timers, ticks));
  for (int i = 0; i < kReaders; ++i) harness.pd().spawn_detached(reader(timers, first[size_t(i)], second[size_t(i)], early));
  harness.start();
  for (int i = 0; i < kReaders; ++i) {
    driver.advance(1_ms);
    first[size_t(i)].set();
    harness.run_until_idle();
  }
  driver.advance(2_s);
  EXPECT_EQ(early, 0);
  EXPECT_EQ(ticks, 20);
  for (Event& e : second) e.set();
  harness.run_until_idle();
  EXPECT_EQ(timers.pending(), 0u);
}

}  // namespace
}  // namespace corokit::exec
