// Measures timer lateness (deadline to task wake-up) from inside a PD, through the timer driver:
// one sleep at a time (random lengths, 50 us to 1 ms), the same with TimerConfig::spin = 200 us,
// then a crowd of 100k timers spread over one second. Prints
// "lateness <phase> samples N p50_ns X p99_ns Y max_ns Z" per phase.
#include <algorithm>
#include <cstdint>

#include "executor/TaskScope.h"
#include "sdk/AsyncPd.h"
#include "sdk/PdTimers.h"

extern "C" {
uintptr_t clock_page = 0;
}

namespace {

using namespace corokit;
using namespace corokit::exec;

constexpr unsigned kTimerChannel = 0;
constexpr std::size_t kSequential = 2'000;
constexpr std::size_t kCrowd = 100'000;

std::uint64_t g_samples[kCrowd];
std::uint64_t g_rng = 0x9e3779b97f4a7c15u;

std::uint64_t next_random() {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

void report(const char* phase, std::size_t n) {
  std::sort(g_samples, g_samples + n);
  log::info("lateness ", phase, " samples ", n, " p50_ns ", g_samples[n / 2], " p99_ns ", g_samples[n * 99 / 100],
            " max_ns ", g_samples[n - 1]);
}

Task<void> crowd_member(TimerService& timers, Instant deadline, std::uint64_t& sample) {
  co_await timers.sleep_until(deadline);
  sample = (timers.now() - deadline).ns();
}

Task<void> one_at_a_time(TimerService& timers, const char* phase) {
  for (std::size_t i = 0; i < kSequential; ++i) {
    const Instant deadline = timers.now() + Duration::nanoseconds(50'000 + next_random() % 950'000);
    co_await timers.sleep_until(deadline);
    g_samples[i] = (timers.now() - deadline).ns();
  }
  report(phase, kSequential);
}

Task<void> probe(Executor& executor, TimerService& timers) {
  co_await one_at_a_time(timers, "sequential");
  timers.set_config(TimerConfig{Duration::microseconds(200)});
  co_await one_at_a_time(timers, "spinning");
  timers.set_config(TimerConfig{});
  {
    // Deadlines from 10 ms to 1.01 s ahead, so every timer is queued before the first expires.
    const Instant base = timers.now() + Duration::milliseconds(10);
    TaskScope scope(executor);
    for (std::size_t i = 0; i < kCrowd; ++i) {
      scope.spawn(crowd_member(timers, base + Duration::nanoseconds(next_random() % 1'000'000'000), g_samples[i]));
    }
    co_await scope.join();
  }
  report("crowd", kCrowd);
}

}  // namespace

struct LatenessProbe {
  PdTimers timers{kTimerChannel, clock_page};

  void start(AsyncPd& pd) { pd.spawn_detached(probe(pd.executor(), timers.start(pd))); }
};
COROKIT_ASYNC_PD(LatenessProbe, std::size_t{64} << 20);
