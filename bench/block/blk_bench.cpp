// The block benchmark's client PD (bench/block/BlockBench.cpp boots it once per workload). Its
// workload is a line in a prefilled region, "<name> <depth> <operations> <poll-us>":
//   random4k D N     N random 4 KiB reads, D in flight
//   seqread1m D N    N sequential 1 MiB reads, D in flight
//   seqwrite1m D N   N sequential 1 MiB writes, D in flight
// with the client adapter polling for up to poll-us after its last progress (0: it sleeps at once).
// It times itself with CLOCK_MONOTONIC and prints
//   bench <name> ops <n> ns <total> depth <d> errors <e>
#include <time.h>

#include <vector>

#include "executor/WhenAll.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"

COROKIT_BLOCK_CLIENT_SETVARS();

extern "C" {
uintptr_t bench_config;
uintptr_t bench_config_size;
}

namespace {

using namespace corokit;
using exec::BlockResult;
using exec::Task;

constexpr uint16_t kMiB = 256;  // blocks

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t clock_ns() noexcept { return now_ns(); }

struct Workload {
  char name[16] = {};
  uint32_t depth = 1;
  uint64_t ops = 0;
  uint64_t poll_us = 0;
};

// "<name> <depth> <ops> <poll-us>"
bool parse(const char* text, uint64_t size, Workload& w) {
  uint64_t i = 0;
  unsigned n = 0;
  while (i < size && text[i] != ' ' && n + 1 < sizeof w.name) w.name[n++] = text[i++];
  uint64_t fields[3] = {0, 0, 0};
  for (uint64_t& f : fields) {
    while (i < size && text[i] == ' ') ++i;
    if (i == size || text[i] < '0' || text[i] > '9') return false;
    while (i < size && text[i] >= '0' && text[i] <= '9') f = f * 10 + static_cast<uint64_t>(text[i++] - '0');
  }
  w.depth = static_cast<uint32_t>(fields[0]);
  w.ops = fields[1];
  w.poll_us = fields[2];
  return n != 0 && w.depth >= 1 && w.depth <= 64 && w.ops >= w.depth;
}

bool same(const char* a, const char* b) {
  for (; *a != '\0' && *a == *b; ++a, ++b) {
  }
  return *a == *b;
}

struct Bench {
  exec::BlockClient* blk = nullptr;
  uint64_t errors = 0;
  uint64_t seed = 88172645463325252ull;
  uint64_t next_block = 0;

  uint64_t random() {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  }

  void start(exec::AsyncPd& pd) {
    Workload w;
    const bool configured = bench_config != 0 && parse(reinterpret_cast<const char*>(bench_config), bench_config_size, w);
    exec::BlockClientConfig config = block_client_config();
    config.poll_ns = w.poll_us * 1000;
    config.clock_ns = clock_ns;
    static exec::BlockClient client(pd, config);
    blk = &client;
    if (!configured) {
      log::error("bench: no workload (bench.conf: <name> <depth> <operations> <poll-us>)");
      return;
    }
    pd.spawn_detached(run(w));
  }

  Task<void> random_reads(uint64_t count, unsigned slot) {
    uint8_t* buffer = blk->data() + slot * BLK_TRANSFER_SIZE;
    for (uint64_t i = 0; i < count; ++i) {
      BlockResult r = co_await blk->read(random() % blk->capacity(), 1, buffer);
      errors += !r.ok();
    }
  }

  // Each stream takes the next MiB of the disk, round and round; `slot` picks its 1 MiB buffer.
  Task<void> sequential(bool write, uint64_t count, unsigned slot) {
    const uint64_t span = blk->capacity() / kMiB * kMiB;
    uint8_t* buffer = blk->data() + slot * kMiB * BLK_TRANSFER_SIZE;
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t block = next_block;
      next_block = (next_block + kMiB) % span;
      BlockResult r = write ? co_await blk->write(block, kMiB, buffer) : co_await blk->read(block, kMiB, buffer);
      errors += !r.ok();
    }
  }

  Task<void> run(Workload w) {
    co_await blk->ready();
    const bool seq = same(w.name, "seqread1m") || same(w.name, "seqwrite1m");
    const uint64_t buffers = blk->data_bytes() / BLK_TRANSFER_SIZE / (seq ? kMiB : 1);
    if (blk->capacity() < 2 * kMiB || buffers < w.depth) {
      log::error("bench: the disk must hold 2 MiB and the data region a buffer per request in flight");
      co_return;
    }
    if (!seq) {
      co_await random_reads(1000, 0);  // warm-up
      seed = 88172645463325252ull;     // the measured reads use pread's offsets, in its order at depth 1
    }
    std::vector<Task<void>> streams;
    for (uint32_t k = 0; k < w.depth; ++k) {
      const uint64_t share = w.ops / w.depth;
      if (same(w.name, "random4k")) {
        streams.push_back(random_reads(share, k));
      } else {
        streams.push_back(sequential(same(w.name, "seqwrite1m"), share, k));
      }
    }
    const uint64_t t = now_ns();
    co_await exec::when_all(streams);
    const uint64_t elapsed = now_ns() - t;
    log::print("bench ", static_cast<const char*>(w.name), " ops ", w.ops / w.depth * w.depth, " ns ", elapsed, " depth ",
               w.depth, " errors ", errors);
    log::print("bench done");
  }
};

}  // namespace

COROKIT_ASYNC_PD(Bench, 64 * 1024);
