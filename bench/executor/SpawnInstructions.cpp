// Deterministic instruction counts for spawn + complete, to be run under callgrind:
//
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null executor_spawn_instructions corokit 1000
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null executor_spawn_instructions corokit 11000
//
// The difference of the two totals divided by 10000 is the cost of one spawn + complete in steady
// state (setup and the warm-up batch cancel out). `floor` runs the pooled floor of MinimalExecutor.h.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench/executor/MinimalExecutor.h"
#include "executor/Executor.h"
#include "executor/host/HeapFramePool.h"

namespace {

using namespace corokit::exec;
namespace floor_ex = corokit::bench::floor;

constexpr long kBatch = 1000;

Task<void> trivial() { co_return; }
floor_ex::Task floor_trivial() { co_return; }

void run_corokit(long batches) {
  HeapFramePool frames;
  Executor executor(frames);
  for (long b = 0; b < batches; ++b) {
    for (long i = 0; i < kBatch; ++i) executor.spawn_detached(trivial());
    executor.run();
  }
}

void run_floor(long batches) {
  floor_ex::FramePool pool;
  floor_ex::ReadyQueue queue(kBatch);
  floor_ex::g_pool = &pool;
  floor_ex::g_queue = &queue;
  for (long b = 0; b < batches; ++b) {
    for (long i = 0; i < kBatch; ++i) queue.push(floor_trivial().handle);
    floor_ex::run(kBatch);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long spawns = argc == 3 ? std::atol(argv[2]) : 0;
  if (spawns <= 0 || spawns % kBatch != 0) {
    std::fprintf(stderr, "usage: %s corokit|floor SPAWNS (a multiple of %ld)\n", argv[0], kBatch);
    return 2;
  }
  if (std::strcmp(argv[1], "corokit") == 0) {
    run_corokit(spawns / kBatch);
  } else if (std::strcmp(argv[1], "floor") == 0) {
    run_floor(spawns / kBatch);
  } else {
    std::fprintf(stderr, "unknown executor '%s' (corokit or floor)\n", argv[1]);
    return 2;
  }
  return 0;
}
