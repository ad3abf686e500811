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

#include "bench/support/RatioSummary.h"

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

void summarise(const corokit::bench::Results& r, corokit::bench::RatioTable& t) {
  using corokit::bench::format_ns;
  t.lower_is_better("resume of a woken task vs floor", r.ns("Resume_Corokit"), r.ns("Resume_Floor"), 2.0);
  t.faster_than("resume vs Asio co_await post", r.ns("Resume_Corokit"), r.ns("Resume_AsioPost"), 20.0, "Asio");
  if (r.has("ResumeByEvent_Corokit")) {
    t.info("resume via Event.set + run() vs floor", format_ns(r.ns("ResumeByEvent_Corokit")),
           format_ns(r.ns("Resume_Floor")) + " floor", r.ns("ResumeByEvent_Corokit") / r.ns("Resume_Floor"));
  }
  t.lower_is_better("spawn + complete vs pooled floor", r.ns("Spawn_Corokit"), r.ns("Spawn_Floor"), 1.5);
  t.faster_than("spawn vs Asio co_spawn", r.ns("Spawn_Corokit"), r.ns("Spawn_AsioCoSpawn"), 20.0, "Asio");
  if (r.has("Spawn_Corokit")) {
    t.at_most("spawn: heap allocations per spawn", r.counter("Spawn_Corokit", "allocs_per_op"), 0, "allocs");
  }
  if (r.has("SpawnCalled_Corokit")) {
    t.info("spawn + complete, ramps not inlined", format_ns(r.ns("SpawnCalled_Corokit")),
           format_ns(r.ns("SpawnCalled_Floor")) + " floor", r.ns("SpawnCalled_Corokit") / r.ns("SpawnCalled_Floor"));
  }
  if (r.has("SpawnJoin_Corokit")) {
    t.info("spawn + join (JoinHandle) vs pooled floor", format_ns(r.ns("SpawnJoin_Corokit")),
           format_ns(r.ns("Spawn_Floor")) + " floor", r.ns("SpawnJoin_Corokit") / r.ns("Spawn_Floor"));
  }
  if (r.has("WhenAll1000_Corokit")) {
    t.info("when_all of 1000, per task vs pooled floor", format_ns(r.ns("WhenAll1000_Corokit")),
           format_ns(r.ns("Spawn_Floor")) + " floor", r.ns("WhenAll1000_Corokit") / r.ns("Spawn_Floor"));
  }
  for (const char* n : {"10", "100", "10000", "1000000"}) {
    const std::string ours = std::string("Live_Corokit/") + n, floor = std::string("Live_Floor/") + n;
    if (!r.has(ours) || !r.has(floor)) continue;
    t.info(std::string("resume with ") + n + " live tasks vs floor", format_ns(r.ns(ours)),
           format_ns(r.ns(floor)) + " floor", r.ns(ours) / r.ns(floor));
  }
}

}  // namespace

int main(int argc, char** argv) {
  return corokit::bench::run_suite(argc, argv, "executor", summarise);
}
