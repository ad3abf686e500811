// The executor against its floor (a minimal hand-written coroutine executor, MinimalExecutor.h) and
// its peer (Asio, Debian's libasio-dev), measured in the same run. After the benchmarks a table
// prints metric, ours, floor/peer, ratio, target and pass/fail (BENCHMARKS.md).
//
// Every benchmark performs a batch of operations per iteration and publishes the batch size as
// the "ops" counter; the summary divides the time per iteration by it. Smoke run:
//   executor_bench --benchmark_min_time=0.01
// Steadier ratios on a busy machine (the summary takes the median of the repetitions):
//   executor_bench --benchmark_min_time=0.2 --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <asio.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "bench/executor/MinimalExecutor.h"
#include "executor/Event.h"
#include "executor/Executor.h"
#include "executor/WhenAll.h"
#include "executor/Yield.h"
#include "executor/host/HeapFramePool.h"

// Heap allocations through the global operator new (replaced in AllocationCounter.cpp).
extern std::uint64_t g_heap_allocations;

namespace {

using namespace corokit::exec;
namespace floor_ex = corokit::bench::floor;

constexpr std::int64_t kBatch = 1000;

// Heap allocations made by the measured operations only (not by the benchmark library between
// iterations): each batch is bracketed by Count.
struct AllocationCount {
  std::uint64_t total = 0;
  template <class F>
  void operator()(F&& batch) {
    const std::uint64_t before = g_heap_allocations;
    batch();
    total += g_heap_allocations - before;
  }
};

void publish(benchmark::State& state, std::int64_t ops_per_iteration, const AllocationCount& allocations) {
  state.counters["ops"] = static_cast<double>(ops_per_iteration);
  const auto ops = static_cast<double>(state.iterations() * ops_per_iteration);
  state.counters["allocs_per_op"] = static_cast<double>(allocations.total) / ops;
}

// ---------------------------------------------------------------- resume of a woken task

Task<void> yield_forever() {
  for (;;) co_await yield_now();
}

void Resume_Corokit(benchmark::State& state) {
  HeapFramePool frames;
  Executor executor(frames);
  JoinHandle<void> task = executor.spawn(yield_forever());
  executor.run(1);
  AllocationCount counted;
  for (auto _ : state) counted([&] { executor.run(kBatch); });
  publish(state, kBatch, counted);
  task.cancel();
  executor.run();
}
BENCHMARK(Resume_Corokit)->Unit(benchmark::kNanosecond);

Task<void> wait_forever(Event& event) {
  for (;;) {
    co_await event;
    event.reset();
  }
}

void ResumeByEvent_Corokit(benchmark::State& state) {
  HeapFramePool frames;
  Event event;
  Executor executor(frames);
  JoinHandle<void> task = executor.spawn(wait_forever(event));
  executor.run();
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      for (std::int64_t i = 0; i < kBatch; ++i) {
        event.set();
        executor.run();
      }
    });
  }
  publish(state, kBatch, counted);
  task.cancel();
  executor.run();
}
BENCHMARK(ResumeByEvent_Corokit)->Unit(benchmark::kNanosecond);

floor_ex::Task floor_yield_forever() {
  for (;;) co_await floor_ex::Yield{};
}

void Resume_Floor(benchmark::State& state) {
  floor_ex::FramePool pool;
  floor_ex::ReadyQueue queue(16);
  floor_ex::g_pool = &pool;
  floor_ex::g_queue = &queue;
  floor_ex::Task task = floor_yield_forever();
  queue.push(task.handle);
  AllocationCount counted;
  for (auto _ : state) counted([&] { floor_ex::run(kBatch); });
  publish(state, kBatch, counted);
  task.handle.destroy();
}
BENCHMARK(Resume_Floor)->Unit(benchmark::kNanosecond);

asio::awaitable<void> asio_post_loop(std::int64_t n) {
  auto executor = co_await asio::this_coro::executor;
  for (std::int64_t i = 0; i < n; ++i) co_await asio::post(executor, asio::use_awaitable);
}

void Resume_AsioPost(benchmark::State& state) {
  asio::io_context context(1);
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      asio::co_spawn(context, asio_post_loop(kBatch), asio::detached);
      context.run();
      context.restart();
    });
  }
  publish(state, kBatch, counted);
}
BENCHMARK(Resume_AsioPost)->Unit(benchmark::kNanosecond);

// ---------------------------------------------------------------- spawn + complete

// Each task function below has one call site, the measured loop, like the floor's: GCC inlines a
// coroutine's ramp (allocation and frame set-up) into a single caller and keeps it out of line for
// several, so sharing a task function between benchmarks (or adding a warm-up loop) would compare
// inlining decisions instead of executors. The first batch grows the pool, as the floor's mallocs.
Task<void> trivial() { co_return; }

void Spawn_Corokit(benchmark::State& state) {
  HeapFramePool frames;
  Executor executor(frames);
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      for (std::int64_t i = 0; i < kBatch; ++i) executor.spawn_detached(trivial());
      executor.run();
    });
  }
  publish(state, kBatch, counted);
}
BENCHMARK(Spawn_Corokit)->Unit(benchmark::kNanosecond);

Task<int> answer() { co_return 42; }

void SpawnJoin_Corokit(benchmark::State& state) {
  HeapFramePool frames;
  Executor executor(frames);
  std::vector<JoinHandle<int>> handles(kBatch);
  AllocationCount counted;
  std::int64_t sum = 0;
  for (auto _ : state) {
    counted([&] {
      for (auto& handle : handles) handle = executor.spawn(answer());
      executor.run();
      for (auto& handle : handles) sum += *handle.outcome();
    });
  }
  benchmark::DoNotOptimize(sum);
  publish(state, kBatch, counted);
}
BENCHMARK(SpawnJoin_Corokit)->Unit(benchmark::kNanosecond);

floor_ex::Task floor_trivial() { co_return; }

void Spawn_Floor(benchmark::State& state) {
  floor_ex::FramePool pool;
  floor_ex::ReadyQueue queue(kBatch);
  floor_ex::g_pool = &pool;
  floor_ex::g_queue = &queue;
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      for (std::int64_t i = 0; i < kBatch; ++i) queue.push(floor_trivial().handle);
      floor_ex::run(kBatch);
    });
  }
  publish(state, kBatch, counted);
}
BENCHMARK(Spawn_Floor)->Unit(benchmark::kNanosecond);

// The same with each ramp kept out of line (both task functions called), as when a task function
// is spawned from several places: the comparison holds either way.
[[gnu::noinline]] Task<void> trivial_called() { co_return; }
[[gnu::noinline]] floor_ex::Task floor_trivial_called() { co_return; }

void SpawnCalled_Corokit(benchmark::State& state) {
  HeapFramePool frames;
  Executor executor(frames);
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      for (std::int64_t i = 0; i < kBatch; ++i) executor.spawn_detached(trivial_called());
      executor.run();
    });
  }
  publish(state, kBatch, counted);
}
BENCHMARK(SpawnCalled_Corokit)->Unit(benchmark::kNanosecond);

void SpawnCalled_Floor(benchmark::State& state) {
  floor_ex::FramePool pool;
  floor_ex::ReadyQueue queue(kBatch);
  floor_ex::g_pool = &pool;
  floor_ex::g_queue = &queue;
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      for (std::int64_t i = 0; i < kBatch; ++i) queue.push(floor_trivial_called().handle);
      floor_ex::run(kBatch);
    });
  }
  publish(state, kBatch, counted);
}
BENCHMARK(SpawnCalled_Floor)->Unit(benchmark::kNanosecond);

asio::awaitable<void> asio_trivial() { co_return; }

void Spawn_AsioCoSpawn(benchmark::State& state) {
  asio::io_context context(1);
  AllocationCount counted;
  for (auto _ : state) {
    counted([&] {
      for (std::int64_t i = 0; i < kBatch; ++i) asio::co_spawn(context, asio_trivial(), asio::detached);
      context.run();
      context.restart();
    });
  }
  publish(state, kBatch, counted);
}
BENCHMARK(Spawn_AsioCoSpawn)->Unit(benchmark::kNanosecond);

// ---------------------------------------------------------------- when_all of 1000 tasks

Task<void> when_all_child() { co_return; }

Task<void> when_all_of(std::vector<Task<void>>& tasks) {
  for (auto& task : tasks) task = when_all_child();
  co_await when_all(tasks);
}

void WhenAll1000_Corokit(benchmark::State& state) {
  HeapFramePool frames;
  Executor executor(frames);
  std::vector<Task<void>> tasks(1000);
  executor.block_on(when_all_of(tasks));  // warm the pool
  AllocationCount counted;
  for (auto _ : state) counted([&] { executor.block_on(when_all_of(tasks)); });
  publish(state, 1000, counted);
}
BENCHMARK(WhenAll1000_Corokit)->Unit(benchmark::kNanosecond);

// ---------------------------------------------------------------- scaling with live tasks

void Live_Corokit(benchmark::State& state) {
  const auto live = state.range(0);
  HeapFramePool frames(4 << 20);
  Executor executor(frames);
  for (std::int64_t i = 0; i < live; ++i) executor.spawn_detached(yield_forever());
  executor.run(static_cast<std::size_t>(live));  // every task reaches its loop
  for (auto _ : state) executor.run(static_cast<std::size_t>(live));
  state.counters["ops"] = static_cast<double>(live);
}
BENCHMARK(Live_Corokit)->RangeMultiplier(100)->Range(10, 1'000'000)->Unit(benchmark::kNanosecond);

void Live_Floor(benchmark::State& state) {
  const auto live = state.range(0);
  floor_ex::FramePool pool;
  floor_ex::ReadyQueue queue(static_cast<std::size_t>(live));
  floor_ex::g_pool = &pool;
  floor_ex::g_queue = &queue;
  std::vector<floor_ex::Task> tasks;
  for (std::int64_t i = 0; i < live; ++i) {
    tasks.push_back(floor_yield_forever());
    queue.push(tasks.back().handle);
  }
  for (auto _ : state) floor_ex::run(static_cast<std::size_t>(live));
  state.counters["ops"] = static_cast<double>(live);
  for (auto& task : tasks) task.handle.destroy();
}
BENCHMARK(Live_Floor)->RangeMultiplier(100)->Range(10, 1'000'000)->Unit(benchmark::kNanosecond);

// ---------------------------------------------------------------- summary

struct Measured {
  double ns_per_op = 0;
  double allocs_per_op = 0;
};

// With --benchmark_repetitions=N the summary uses the median of the N repetitions of each
// benchmark (the machines are shared and noisy); otherwise the single run.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type != Run::RT_Iteration && !median) continue;
      const std::string name = run.run_name.str();
      if (!median && medians_.count(name) != 0) continue;
      const double ops = run.counters.count("ops") != 0 ? run.counters.at("ops").value : 1.0;
      Measured m;
      m.ns_per_op = run.GetAdjustedCPUTime() / ops;  // unit: ns; CPU time: the machine is shared
      if (run.counters.count("allocs_per_op") != 0) m.allocs_per_op = run.counters.at("allocs_per_op").value;
      results[name] = m;
      if (median) medians_.insert(name);
    }
  }
  std::map<std::string, Measured> results;

 private:
  std::set<std::string> medians_;
};

struct Row {
  std::string metric;
  std::string ours;
  std::string other;
  double ratio;
  std::string target;
  bool pass;
  bool judged;
};

void print_summary(const std::map<std::string, Measured>& r) {
  auto has = [&](const char* name) { return r.count(name) != 0; };
  auto ns = [&](const char* name) { return r.at(name).ns_per_op; };
  auto fmt = [](double value, const char* unit) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f %s", value, unit);
    return std::string(buffer);
  };
  std::vector<Row> rows;
  if (has("Resume_Corokit") && has("Resume_Floor")) {
    const double ratio = ns("Resume_Corokit") / ns("Resume_Floor");
    rows.push_back({"resume of a woken task vs floor", fmt(ns("Resume_Corokit"), "ns"), fmt(ns("Resume_Floor"), "ns"),
                    ratio, "<= 2.0x", ratio <= 2.0, true});
  }
  if (has("Resume_Corokit") && has("Resume_AsioPost")) {
    const double ratio = ns("Resume_AsioPost") / ns("Resume_Corokit");
    rows.push_back({"resume: Asio co_await post / ours", fmt(ns("Resume_Corokit"), "ns"), fmt(ns("Resume_AsioPost"), "ns"),
                    ratio, ">= 20x faster", ratio >= 20.0, true});
  }
  if (has("ResumeByEvent_Corokit") && has("Resume_Floor")) {
    const double ratio = ns("ResumeByEvent_Corokit") / ns("Resume_Floor");
    rows.push_back({"resume via Event.set + run() vs floor", fmt(ns("ResumeByEvent_Corokit"), "ns"),
                    fmt(ns("Resume_Floor"), "ns"), ratio, "(info)", true, false});
  }
  if (has("Spawn_Corokit") && has("Spawn_Floor")) {
    const double ratio = ns("Spawn_Corokit") / ns("Spawn_Floor");
    rows.push_back({"spawn + complete vs pooled floor", fmt(ns("Spawn_Corokit"), "ns"), fmt(ns("Spawn_Floor"), "ns"),
                    ratio, "<= 1.5x", ratio <= 1.5, true});
  }
  if (has("Spawn_Corokit") && has("Spawn_AsioCoSpawn")) {
    const double ratio = ns("Spawn_AsioCoSpawn") / ns("Spawn_Corokit");
    rows.push_back({"spawn: Asio co_spawn / ours", fmt(ns("Spawn_Corokit"), "ns"), fmt(ns("Spawn_AsioCoSpawn"), "ns"),
                    ratio, ">= 20x faster", ratio >= 20.0, true});
  }
  if (has("Spawn_Corokit")) {
    const double allocs = r.at("Spawn_Corokit").allocs_per_op;
    rows.push_back({"spawn: heap allocations per spawn", fmt(allocs, ""),
                    has("Spawn_AsioCoSpawn") ? fmt(r.at("Spawn_AsioCoSpawn").allocs_per_op, "(Asio)") : "-", 0,
                    "0", allocs == 0.0, true});
  }
  if (has("SpawnCalled_Corokit") && has("SpawnCalled_Floor")) {
    const double ratio = ns("SpawnCalled_Corokit") / ns("SpawnCalled_Floor");
    rows.push_back({"spawn + complete, ramps not inlined", fmt(ns("SpawnCalled_Corokit"), "ns"),
                    fmt(ns("SpawnCalled_Floor"), "ns"), ratio, "(info)", true, false});
  }
  if (has("SpawnJoin_Corokit") && has("Spawn_Floor")) {
    const double ratio = ns("SpawnJoin_Corokit") / ns("Spawn_Floor");
    rows.push_back({"spawn + join (JoinHandle) vs pooled floor", fmt(ns("SpawnJoin_Corokit"), "ns"),
                    fmt(ns("Spawn_Floor"), "ns"), ratio, "(info)", true, false});
  }
  if (has("WhenAll1000_Corokit") && has("Spawn_Floor")) {
    const double ratio = ns("WhenAll1000_Corokit") / ns("Spawn_Floor");
    rows.push_back({"when_all of 1000, per task vs pooled floor", fmt(ns("WhenAll1000_Corokit"), "ns"),
                    fmt(ns("Spawn_Floor"), "ns"), ratio, "(info)", true, false});
  }
  for (const char* n : {"10", "100", "10000", "1000000"}) {
    const std::string ours = std::string("Live_Corokit/") + n;
    const std::string floor = std::string("Live_Floor/") + n;
    if (r.count(ours) == 0 || r.count(floor) == 0) continue;
    const double ratio = r.at(ours).ns_per_op / r.at(floor).ns_per_op;
    rows.push_back({std::string("resume with ") + n + " live tasks vs floor", fmt(r.at(ours).ns_per_op, "ns"),
                    fmt(r.at(floor).ns_per_op, "ns"), ratio, "(curve)", true, false});
  }

  std::printf("\n%-44s %12s %16s %8s %14s %s\n", "metric", "ours", "floor/peer", "ratio", "target", "result");
  bool all = true;
  for (const Row& row : rows) {
    std::printf("%-44s %12s %16s %7.2fx %14s %s\n", row.metric.c_str(), row.ours.c_str(), row.other.c_str(), row.ratio,
                row.target.c_str(), row.judged ? (row.pass ? "PASS" : "FAIL") : "-");
    all = all && row.pass;
  }
  std::printf("executor benchmarks: %s\n", all ? "all targets met" : "some targets missed");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_summary(reporter.results);
  benchmark::Shutdown();
  return 0;
}
