// Timers against their floor and peer in the same run (BENCHMARKS.md):
//   * N timers scheduled and fired (N = 100k is judged; 10 ... 10^6 is the curve): corokit's timer
//     service (each timer a coroutine sleeping until its deadline, fired in 1000 steps of virtual
//     time) against a floor of the same coroutines on a minimal executor with a
//     std::priority_queue, and against Asio steady_timers with callbacks;
//   * the cost of now(): a clock-page read against a bare clock_gettime;
//   * lateness, deadline to task wake-up, through a booted system (the timer driver PD and a client
//     PD, lateness_probe.cpp), with an in-process timerfd as the operating system's floor.
// Every benchmark publishes its batch size as "ops"; the summary divides by it. Smoke run:
//   timer_bench --benchmark_min_time=0.01

#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <queue>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bench/executor/MinimalExecutor.h"
#include "bench/support/RatioSummary.h"
#include "executor/TaskScope.h"
#include "executor/Timer.h"
#include "executor/host/HeapFramePool.h"
#include "sdk/ClockPageReader.h"
#include "system/image/ImagePacker.h"
#include "system/runtime/Monitor.h"
#include "system/sdf/Target.h"

namespace {

using namespace corokit::exec;
namespace floor_ex = corokit::bench::floor;

constexpr std::uint64_t kSpanNs = 1'000'000'000;  // deadlines spread over one second
constexpr std::uint64_t kSteps = 1000;           // expiry passes per run

std::vector<std::uint64_t> deadlines(std::size_t n) {
  std::mt19937_64 rng(20240611);
  std::vector<std::uint64_t> out(n);
  for (auto& d : out) d = 1 + rng() % kSpanNs;
  return out;
}

void publish(benchmark::State& state, std::size_t ops) { state.counters["ops"] = static_cast<double>(ops); }

// Each benchmark keeps N long-lived coroutines, each sleeping until its deadline in the current
// round (a random instant in that round's second) and then until its deadline in the next round:
// one iteration is one round, N timers scheduled and fired, expired in kSteps passes of virtual
// time. A second form spawns a fresh task per timer (the executor's spawn cost included).

std::uint64_t round_base(std::uint64_t round) { return round * (kSpanNs + 1); }

// ---------------------------------------------------------------- ours: the timer service

struct NoPlatform final : PdPlatform {
  void notify(ChannelId) noexcept override {}
  void irq_ack(ChannelId) noexcept override {}
};

struct VirtualClock final : TimerDevice {
  std::uint64_t time = 0;
  std::uint64_t requests = 0;
  std::uint64_t now() noexcept override { return time; }
  bool set_deadline(std::uint64_t) noexcept override {
    ++requests;
    return true;
  }
};

Task<void> periodic_sleeper(TimerService& timers, std::uint64_t offset, std::uint64_t& fired) {
  for (std::uint64_t round = 0;; ++round) {
    co_await timers.sleep_until(Instant::from_ns(round_base(round) + offset));
    ++fired;
  }
}

void expire_round(AsyncPd& pd, VirtualClock& clock, std::uint64_t round) {
  for (std::uint64_t step = 1; step <= kSteps; ++step) {
    clock.time = round_base(round) + step * (kSpanNs / kSteps);
    pd.on_notified(0);
    while (pd.run_turn().more_work) {
    }
  }
}

void Timers_Ours(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> offsets = deadlines(n);
  HeapFramePool frames;
  NoPlatform platform;
  AsyncPd pd(platform, frames);
  VirtualClock clock;
  TimerService timers(pd, clock, 0);
  std::uint64_t fired = 0, round = 0;
  TaskScope sleepers(pd.executor());  // destroyed first: its tasks' timers leave the queue
  for (std::uint64_t offset : offsets) sleepers.spawn(periodic_sleeper(timers, offset, fired));
  while (pd.run_turn().more_work) {
  }
  const std::uint64_t requests_before = clock.requests;
  for (auto _ : state) expire_round(pd, clock, round++);
  if (fired != n * round) state.SkipWithError("not every timer fired");
  state.counters["set_deadline_per_timer"] =
      static_cast<double>(clock.requests - requests_before) / static_cast<double>(n * round);
  publish(state, n);
}
BENCHMARK(Timers_Ours)->Arg(10)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

Task<void> one_shot_sleeper(TimerService& timers, Instant deadline, std::uint64_t& fired) {
  co_await timers.sleep_until(deadline);
  ++fired;
}

void Timers_OursSpawningATaskPerTimer(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> offsets = deadlines(n);
  HeapFramePool frames;
  NoPlatform platform;
  AsyncPd pd(platform, frames);
  VirtualClock clock;
  TimerService timers(pd, clock, 0);
  std::uint64_t fired = 0, round = 0;
  for (auto _ : state) {
    for (std::uint64_t offset : offsets) {
      pd.spawn_detached(one_shot_sleeper(timers, Instant::from_ns(round_base(round) + offset), fired));
    }
    while (pd.run_turn().more_work) {
    }
    expire_round(pd, clock, round++);
  }
  if (fired != n * round) state.SkipWithError("not every timer fired");
  publish(state, n);
}
BENCHMARK(Timers_OursSpawningATaskPerTimer)->Arg(100'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- floor: priority_queue

struct FloorEntry {
  std::uint64_t deadline;
  std::uint64_t seq;
  std::coroutine_handle<> handle;
  bool operator>(const FloorEntry& o) const { return deadline > o.deadline || (deadline == o.deadline && seq > o.seq); }
};
struct FloorTimers {
  std::priority_queue<FloorEntry, std::vector<FloorEntry>, std::greater<FloorEntry>> queue;
  std::uint64_t seq = 0;
};
FloorTimers* g_floor_timers = nullptr;

struct FloorSleep {
  std::uint64_t deadline;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { g_floor_timers->queue.push({deadline, g_floor_timers->seq++, h}); }
  void await_resume() const noexcept {}
};

floor_ex::Task floor_sleeper(std::uint64_t offset, std::uint64_t& fired) {
  for (std::uint64_t round = 0;; ++round) {
    co_await FloorSleep{round_base(round) + offset};
    ++fired;
  }
}

void Timers_PriorityQueueFloor(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> offsets = deadlines(n);
  floor_ex::ReadyQueue ready(n);
  floor_ex::FramePool pool;
  FloorTimers timers;
  floor_ex::g_queue = &ready;
  floor_ex::g_pool = &pool;
  g_floor_timers = &timers;
  std::uint64_t fired = 0, round = 0;
  std::vector<std::coroutine_handle<>> handles;
  for (std::uint64_t offset : offsets) {
    handles.push_back(floor_sleeper(offset, fired).handle);
    ready.push(handles.back());
  }
  floor_ex::run(SIZE_MAX);
  for (auto _ : state) {
    for (std::uint64_t step = 1; step <= kSteps; ++step) {
      const std::uint64_t now = round_base(round) + step * (kSpanNs / kSteps);
      while (!timers.queue.empty() && timers.queue.top().deadline <= now) {
        ready.push(timers.queue.top().handle);
        timers.queue.pop();
      }
      floor_ex::run(SIZE_MAX);
    }
    ++round;
  }
  if (fired != n * round) state.SkipWithError("not every timer fired");
  for (std::coroutine_handle<> h : handles) h.destroy();
  publish(state, n);
}
BENCHMARK(Timers_PriorityQueueFloor)->Arg(10)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- peer: Asio steady_timer

void Timers_Asio(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint64_t> offsets = deadlines(n);
  asio::io_context io;
  std::vector<asio::steady_timer> timers;
  timers.reserve(n);
  for (std::size_t i = 0; i < n; ++i) timers.emplace_back(io);
  std::uint64_t fired = 0, rounds = 0;
  for (auto _ : state) {
    // Deadlines in the last second: all due, in random order, so the run is CPU-bound.
    const auto base = asio::steady_timer::clock_type::now() - std::chrono::nanoseconds(kSpanNs + 1);
    for (std::size_t i = 0; i < n; ++i) {
      timers[i].expires_at(base + std::chrono::nanoseconds(offsets[i]));
      timers[i].async_wait([&fired](const asio::error_code&) { ++fired; });
    }
    io.run();
    io.restart();
    ++rounds;
  }
  if (fired != n * rounds) state.SkipWithError("not every timer fired");
  publish(state, n);
}
BENCHMARK(Timers_Asio)->Arg(100'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- now()

struct ClockPageFixture {
  alignas(4096) ck_clock_page page{};
  ClockPageFixture() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ck_clock_page_publish(&page, CK_CLOCK_SOURCE_MONOTONIC, static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u, 0, 1);
  }
};

// The time as a task reads it: TimerService::now() over the clock page (sdk/TimerClient's path).
struct ClockPageDevice final : TimerDevice {
  corokit::ClockPageReader& reader;
  explicit ClockPageDevice(corokit::ClockPageReader& r) : reader(r) {}
  std::uint64_t now() noexcept override { return reader.now(); }
  bool set_deadline(std::uint64_t) noexcept override { return true; }
};

constexpr std::size_t kNowBatch = 1000;

void Now_TimerService(benchmark::State& state) {
  ClockPageFixture fixture;
  corokit::ClockPageReader reader(&fixture.page);
  if (!reader.ready()) state.SkipWithError("clock page not published");
  HeapFramePool frames;
  NoPlatform platform;
  AsyncPd pd(platform, frames);
  ClockPageDevice device(reader);
  TimerService timers(pd, device, 0);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kNowBatch; ++i) benchmark::DoNotOptimize(timers.now());
  }
  publish(state, kNowBatch);
}
BENCHMARK(Now_TimerService);

void Now_ClockGettimeFloor(benchmark::State& state) {
  for (auto _ : state) {
    for (std::size_t i = 0; i < kNowBatch; ++i) {
      timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      benchmark::DoNotOptimize(ts);
    }
  }
  publish(state, kNowBatch);
}
BENCHMARK(Now_ClockGettimeFloor);

// ---------------------------------------------------------------- lateness

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

Percentiles percentiles(std::vector<std::uint64_t> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = static_cast<double>(v[v.size() / 2]);
  p.p99 = static_cast<double>(v[std::min(v.size() - 1, v.size() * 99 / 100)]);
  p.max = static_cast<double>(v.back());
  return p;
}

// The operating system's floor: one process blocking on a timerfd with absolute deadlines.
void Lateness_TimerfdFloor(benchmark::State& state) {
  const int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> late;
  for (auto _ : state) {
    for (int i = 0; i < 2000; ++i) {
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      const std::uint64_t deadline = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
                                     static_cast<std::uint64_t>(now.tv_nsec) + 50'000 + rng() % 950'000;
      itimerspec its{};
      its.it_value.tv_sec = static_cast<time_t>(deadline / 1'000'000'000);
      its.it_value.tv_nsec = static_cast<long>(deadline % 1'000'000'000);
      timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, nullptr);
      std::uint64_t expiries;
      (void)!read(fd, &expiries, sizeof expiries);
      clock_gettime(CLOCK_MONOTONIC, &now);
      late.push_back(static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(now.tv_nsec) - deadline);
    }
  }
  close(fd);
  const Percentiles p = percentiles(late);
  state.counters["p50_ns"] = p.p50;
  state.counters["p99_ns"] = p.p99;
}
BENCHMARK(Lateness_TimerfdFloor)->Iterations(1)->Unit(benchmark::kMillisecond);

// A system: the timer driver PD and lateness_probe.cpp, which measures its own wake-ups and prints
// "lateness <phase> samples N p50_ns X p99_ns Y max_ns Z".
void Lateness_System(benchmark::State& state) {
  const std::string sdf =
      "<system>\n"
      "  <memory_region name=\"timer_regs\" size=\"0x1000\" phys_addr=\"0x9010000\" />\n"
      "  <memory_region name=\"clock_page\" size=\"0x1000\" />\n"
      "  <protection_domain name=\"timer\" priority=\"254\" passive=\"true\">\n"
      "    <program_image path=\"timer_driver.elf\" />\n"
      "    <map mr=\"timer_regs\" vaddr=\"0x2000000\" perms=\"r\" setvar_vaddr=\"timer_regs\" />\n"
      "    <irq irq=\"34\" id=\"0\" />\n"
      "  </protection_domain>\n"
      "  <protection_domain name=\"probe\" priority=\"100\">\n"
      "    <program_image path=\"lateness_probe.elf\" />\n"
      "    <map mr=\"clock_page\" vaddr=\"0x40000000\" perms=\"r\" setvar_vaddr=\"clock_page\" />\n"
      "  </protection_domain>\n"
      "  <channel><end pd=\"probe\" id=\"0\" pp=\"true\" /><end pd=\"timer\" id=\"1\" /></channel>\n"
      "</system>\n";
  corokit::sdf::CheckOptions check;
  check.target = *corokit::sdf::builtin_profile("host", 2);
  check.search_paths = {COROKIT_TIMER_DRIVER_DIR, COROKIT_TIMER_BENCH_PDS};
  corokit::image::PackOutcome packed = corokit::image::pack_sdf_text(sdf, "lateness.system", check);
  if (!packed.image) {
    std::string why = "cannot pack the lateness system:";
    for (const corokit::diag::Diagnostic& d : packed.loaded.diagnostics.all()) why += " " + d.code + " " + d.message;
    state.SkipWithError(why.c_str());
    return;
  }
  corokit::runtime::RunOptions options;
  options.prefix = false;
  options.colour = corokit::runtime::RunOptions::Colour::Never;
  options.until = "lateness crowd";
  options.timeout_s = 60;
  std::string output;
  for (auto _ : state) {
    const int fd = memfd_create("lateness", MFD_CLOEXEC);
    corokit::runtime::run_system(*packed.image, options, fd);
    const off_t size = lseek(fd, 0, SEEK_END);
    output.assign(static_cast<std::size_t>(size), '\0');
    if (size > 0) (void)!pread(fd, output.data(), output.size(), 0);
    close(fd);
  }
  const std::regex line(R"(lateness (\w+) samples (\d+) p50_ns (\d+) p99_ns (\d+) max_ns (\d+))");
  std::istringstream in(output);
  int phases = 0;
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_search(l, m, line)) continue;
    const std::string phase = m[1];
    state.counters[phase + "_samples"] = std::stod(m[2]);
    state.counters[phase + "_p50_ns"] = std::stod(m[3]);
    state.counters[phase + "_p99_ns"] = std::stod(m[4]);
    state.counters[phase + "_max_ns"] = std::stod(m[5]);
    ++phases;
  }
  if (phases != 3) state.SkipWithError(("the probe did not report: " + output).c_str());
}
BENCHMARK(Lateness_System)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  using corokit::bench::format_ns;
  using corokit::bench::RatioTable;
  using corokit::bench::Results;
  return corokit::bench::run_suite(argc, argv, "timer", [](const Results& r, RatioTable& t) {
    const std::string ours = "Timers_Ours/100000", floor = "Timers_PriorityQueueFloor/100000", asio = "Timers_Asio/100000";
    if (r.has(ours) && r.has(floor)) {
      t.lower_is_better("100k timers scheduled + fired vs priority_queue", r.ns(ours), r.ns(floor), 1.5);
    }
    if (r.has(ours) && r.has(asio)) {
      t.faster_than("100k timers: Asio steady_timer / ours", r.ns(ours), r.ns(asio), 2.0, "Asio");
    }
    for (const char* n : {"10", "1000", "1000000"}) {
      const std::string o = std::string("Timers_Ours/") + n, f = std::string("Timers_PriorityQueueFloor/") + n;
      if (r.has(o) && r.has(f)) {
        t.info(std::string("timers scheduled + fired, N = ") + n, format_ns(r.ns(o)), format_ns(r.ns(f)) + " floor",
               r.ns(o) / r.ns(f));
      }
    }
    const std::string spawning = "Timers_OursSpawningATaskPerTimer/100000";
    if (r.has(spawning) && r.has(floor)) {
      t.info("100k timers, a task spawned per timer", format_ns(r.ns(spawning)), format_ns(r.ns(floor)) + " floor",
             r.ns(spawning) / r.ns(floor));
    }
    if (r.has(ours)) {
      t.info("SET_DEADLINE PPCs per timer (100k over 1 s)", std::to_string(r.counter(ours, "set_deadline_per_timer")), "-", 0);
    }
    if (r.has("Now_TimerService") && r.has("Now_ClockGettimeFloor")) {
      t.info("now(): clock page vs clock_gettime", format_ns(r.ns("Now_TimerService")),
             format_ns(r.ns("Now_ClockGettimeFloor")), r.ns("Now_TimerService") / r.ns("Now_ClockGettimeFloor"));
    }
    const std::string sys = "Lateness_System";
    const std::string os = "Lateness_TimerfdFloor";
    if (r.has(sys)) {
      t.at_most("timer lateness p50 (100k timers over 1 s)", r.counter(sys, "crowd_p50_ns") / 1000, 10, "us");
      t.at_most("timer lateness p99 (100k timers over 1 s)", r.counter(sys, "crowd_p99_ns") / 1000, 100, "us");
      const double os_p50 = r.has(os) ? r.counter(os, "p50_ns") : 0;
      t.info("lateness p50, one sleep at a time", format_ns(r.counter(sys, "sequential_p50_ns")),
             format_ns(os_p50) + " timerfd floor", os_p50 > 0 ? r.counter(sys, "sequential_p50_ns") / os_p50 : 0);
      const double os_p99 = r.has(os) ? r.counter(os, "p99_ns") : 0;
      t.info("lateness p99, one sleep at a time", format_ns(r.counter(sys, "sequential_p99_ns")),
             format_ns(os_p99) + " timerfd floor", os_p99 > 0 ? r.counter(sys, "sequential_p99_ns") / os_p99 : 0);
      t.info("lateness p50, one at a time, 200 us spin", format_ns(r.counter(sys, "spinning_p50_ns")),
             format_ns(os_p50) + " timerfd floor", os_p50 > 0 ? r.counter(sys, "spinning_p50_ns") / os_p50 : 0);
      t.info("lateness p99, one at a time, 200 us spin", format_ns(r.counter(sys, "spinning_p99_ns")),
             format_ns(os_p99) + " timerfd floor", os_p99 > 0 ? r.counter(sys, "spinning_p99_ns") / os_p99 : 0);
    }
  });
}
