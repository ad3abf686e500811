// sDDF-layout queue between two processes, batch 64, with the notification protocol of
// PROTOCOLS.md §1.4 (consumer-signalled, bounded spin then futex sleep), against a raw polling
// ring measured in the same run (BENCHMARKS.md: >= 0.6 x the raw ring's throughput). Batch 1 is
// reported too.
#include <benchmark/benchmark.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "bench/support/RatioSummary.h"
#include "sdk/protocol/Queues.h"

namespace {

using namespace corokit::protocol;

// Batch 1 sleeps and wakes far more often; it moves fewer items to keep the run short.
constexpr uint64_t items_for(unsigned batch) { return batch == 1 ? 200'000 : 2'000'000; }
constexpr uint16_t kCapacity = 512;

void futex_wait(std::atomic<uint32_t>* word, uint32_t expected) {
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, nullptr, nullptr, 0);
}
void futex_wake(std::atomic<uint32_t>* word) {
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

template <typename T>
T* shared_zeroed(size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return static_cast<T*>(p);
}

// The floor: a bare SPSC ring, producer publishes per batch, consumer polls.
struct RawRing {
  alignas(64) std::atomic<uint64_t> tail{0};
  alignas(64) std::atomic<uint64_t> head{0};
  alignas(64) uint64_t slots[kCapacity * 2];
};

double run_raw(unsigned batch) {
  const uint64_t kItems = items_for(batch);
  auto* r = shared_zeroed<RawRing>(sizeof(RawRing));
  auto start = std::chrono::steady_clock::now();
  pid_t child = ::fork();
  if (child == 0) {
    uint64_t tail = 0;
    while (tail < kItems) {
      uint64_t head = r->head.load(std::memory_order_acquire);
      unsigned n = 0;
      while (n < batch && tail - head < kCapacity && tail < kItems) {
        r->slots[tail % kCapacity] = tail;
        ++tail;
        ++n;
      }
      r->tail.store(tail, std::memory_order_release);
    }
    ::_exit(0);
  }
  uint64_t head = 0, sum = 0;
  while (head < kItems) {
    uint64_t tail = r->tail.load(std::memory_order_acquire);
    while (head < tail) sum += r->slots[head++ % kCapacity];
    r->head.store(head, std::memory_order_release);
  }
  ::waitpid(child, nullptr, 0);
  benchmark::DoNotOptimize(sum);
  ::munmap(r, sizeof(RawRing));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Shared {
  std::atomic<uint32_t> doorbell{0};  // the consumer's wake-up word (a notification)
  std::atomic<uint64_t> notifications{0};
  alignas(64) unsigned char queue[NET_QUEUE_BYTES(kCapacity)];
};

double run_protocol(unsigned batch, uint64_t* notifications) {
  const uint64_t kItems = items_for(batch);
  auto* s = shared_zeroed<Shared>(sizeof(Shared));
  auto* q = reinterpret_cast<net_queue*>(s->queue);
  auto start = std::chrono::steady_clock::now();
  pid_t child = ::fork();
  if (child == 0) {
    QueueProducer<net_buff_desc, uint16_t> p(net_queue_region(q, kCapacity));
    uint64_t i = 0;
    while (i < kItems) {
      unsigned n = 0;
      while (n < batch && i < kItems && p.push(net_buff_desc{i * 2048, 64, 0})) ++i, ++n;
      if (p.publish() && notifier_must_signal(q->consumer_signalled)) {
        s->notifications.fetch_add(1, std::memory_order_relaxed);
        s->doorbell.fetch_add(1);
        futex_wake(&s->doorbell);
      }
    }
    ::_exit(0);
  }
  QueueConsumer<net_buff_desc, uint16_t> c(net_queue_region(q, kCapacity));
  uint64_t got = 0, sum = 0;
  while (got < kItems) {
    net_buff_desc d;
    while (c.pop(d)) sum += d.len, ++got;
    c.commit();
    if (got == kItems) break;
    // Bounded spin before announcing sleep (the peer runs on another core).
    auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(5);
    while (c.empty() && std::chrono::steady_clock::now() < spin_until) {
    }
    if (!c.empty()) continue;
    uint32_t bell = s->doorbell.load();
    if (waiter_should_continue(q->consumer_signalled, [&] { return !c.empty(); })) continue;
    futex_wait(&s->doorbell, bell);
  }
  ::waitpid(child, nullptr, 0);
  benchmark::DoNotOptimize(sum);
  *notifications = s->notifications.load();
  ::munmap(s, sizeof(Shared));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BM_RawRing(benchmark::State& state) {
  for (auto _ : state) state.SetIterationTime(run_raw(static_cast<unsigned>(state.range(0))));
  state.counters["ops"] = static_cast<double>(items_for(static_cast<unsigned>(state.range(0))));
  state.counters["real_time"] = 1;
}
BENCHMARK(BM_RawRing)->Arg(64)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_SddfQueue(benchmark::State& state) {
  uint64_t notes = 0;
  for (auto _ : state) state.SetIterationTime(run_protocol(static_cast<unsigned>(state.range(0)), &notes));
  const auto items = static_cast<double>(items_for(static_cast<unsigned>(state.range(0))));
  state.counters["ops"] = items;
  state.counters["real_time"] = 1;
  state.counters["notifications_per_item"] = static_cast<double>(notes) / items;
}
BENCHMARK(BM_SddfQueue)->Arg(64)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  using namespace corokit::bench;
  return run_suite(argc, argv, "protocol", [](const Results& r, RatioTable& t) {
    // Throughput ratio >= 0.6 is time per item <= 1/0.6 of the raw ring's.
    t.lower_is_better("sDDF queue + notifications, batch 64, vs raw ring", r.ns("BM_SddfQueue/64"),
                      r.ns("BM_RawRing/64"), 1.0 / 0.6, "raw ring");
    t.info("sDDF queue + notifications, batch 1, vs raw ring", format_ns(r.ns("BM_SddfQueue/1")),
           format_ns(r.ns("BM_RawRing/1")) + " raw ring", r.ns("BM_SddfQueue/1") / r.ns("BM_RawRing/1"));
    t.info("notifications per item, batch 64",
           std::to_string(r.counter("BM_SddfQueue/64", "notifications_per_item")), "-", 0);
  });
}
