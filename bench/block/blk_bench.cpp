// The block benchmark's client PD (bench/block/BlockBench.cpp boots it): random 4 KiB reads at
// queue depth 1 and 32, sequential 1 MiB reads and writes, through the virtualiser and the driver
// to the disk image. Prints one line per workload, timed inside the PD:
//   bench <name> ops <n> ns <total> depth <d>
#include <time.h>

#include <vector>

#include "executor/WhenAll.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"

COROKIT_BLOCK_CLIENT_SETVARS();

namespace {

using namespace corokit;
using exec::BlockResult;
using exec::Task;

constexpr uint32_t kRandomQd1 = 20000;
constexpr uint32_t kRandomQd32 = 100000;
constexpr uint32_t kDepth = 32;
constexpr uint64_t kSeqBytes = 256ull << 20;
constexpr uint16_t kMiB = 256;  // blocks

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

struct Bench {
  exec::BlockClient* blk = nullptr;
  uint64_t errors = 0;
  uint64_t seed = 88172645463325252ull;

  uint64_t random() {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  }

  void start(exec::AsyncPd& pd) {
    static exec::BlockClient client(pd, block_client_config());
    blk = &client;
    pd.spawn_detached(run());
  }

  static void report(const char* name, uint64_t ops, uint64_t ns, unsigned depth) {
    log::print("bench ", name, " ops ", ops, " ns ", ns, " depth ", depth);
  }

  Task<void> random_reads(uint32_t count, unsigned slot) {
    uint8_t* buffer = blk->data() + slot * BLK_TRANSFER_SIZE;
    for (uint32_t i = 0; i < count; ++i) {
      BlockResult r = co_await blk->read(random() % blk->capacity(), 1, buffer);
      errors += !r.ok();
    }
  }

  Task<void> sequential(bool write, uint64_t bytes) {
    const uint64_t span = blk->capacity() / kMiB * kMiB;
    uint64_t block = 0;
    for (uint64_t done = 0; done < bytes; done += kMiB * BLK_TRANSFER_SIZE) {
      BlockResult r = write ? co_await blk->write(block, kMiB, blk->data()) : co_await blk->read(block, kMiB, blk->data());
      errors += !r.ok();
      block = (block + kMiB) % span;
    }
  }

  Task<void> run() {
    co_await blk->ready();
    if (blk->capacity() < 2 * kMiB || blk->data_bytes() < kMiB * BLK_TRANSFER_SIZE) {
      log::error("bench: the disk must hold 2 MiB and the data region 1 MiB");
      co_return;
    }
    co_await random_reads(2000, 0);  // warm-up
    uint64_t t = now_ns();
    co_await random_reads(kRandomQd1, 0);
    report("random4k", kRandomQd1, now_ns() - t, 1);

    std::vector<Task<void>> tasks;
    for (unsigned k = 0; k < kDepth; ++k) tasks.push_back(random_reads(kRandomQd32 / kDepth, k));
    t = now_ns();
    co_await exec::when_all(tasks);
    report("random4k", kRandomQd32 / kDepth * kDepth, now_ns() - t, kDepth);

    t = now_ns();
    co_await sequential(false, kSeqBytes);
    report("seqread1m", kSeqBytes >> 20, now_ns() - t, 1);
    t = now_ns();
    co_await sequential(true, kSeqBytes);
    report("seqwrite1m", kSeqBytes >> 20, now_ns() - t, 1);
    log::print("bench done, errors ", errors);
  }
};

}  // namespace

COROKIT_ASYNC_PD(Bench, 64 * 1024);
