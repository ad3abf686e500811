#include <vector>

#include "executor/Event.h"
#include "executor/FramePool.h"
#include "executor/WhenAll.h"
#include "executor/Yield.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using testing::ExecutorTest;
using testing::heap_allocations;

TEST(FramePoolTest, RecyclesBlocksWithinTheirSizeClass) {
  testing::install_abort_on_panic();
  alignas(16) static unsigned char arena[4096];
  FramePool pool(arena, sizeof arena);
  void* a = pool.allocate(100);
  void* b = pool.allocate(100);
  EXPECT_NE(a, b);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % FramePool::kAlignment, 0u);
  pool.deallocate(a, 100);
  EXPECT_EQ(pool.allocate(97), a);  // same class (97..128 bytes)
  EXPECT_EQ(pool.stats().live_blocks, 2u);
  EXPECT_EQ(pool.stats().reserved_bytes, 256u);
  pool.deallocate(a, 97);
  pool.deallocate(b, 100);
  EXPECT_EQ(pool.stats().live_blocks, 0u);
}

TEST(FramePoolTest, LargeBlocksUsePowerOfTwoClasses) {
  testing::install_abort_on_panic();
  alignas(16) static unsigned char arena[16384];
  FramePool pool(arena, sizeof arena);
  void* a = pool.allocate(1500);
  EXPECT_EQ(pool.stats().reserved_bytes, 2048u);
  pool.deallocate(a, 1500);
  EXPECT_EQ(pool.allocate(2048), a);
}

TEST(FramePoolTest, GrowsFromItsChunkSource) {
  testing::install_abort_on_panic();
  HeapFramePool pool(4096);
  std::vector<void*> blocks;
  for (int i = 0; i < 100; ++i) blocks.push_back(pool.allocate(256));
  EXPECT_GT(pool.stats().chunks, 1u);
  for (void* block : blocks) pool.deallocate(block, 256);
  const auto chunks = pool.stats().chunks;
  for (int i = 0; i < 100; ++i) blocks[static_cast<std::size_t>(i)] = pool.allocate(256);
  EXPECT_EQ(pool.stats().chunks, chunks);  // reused, not grown
  for (void* block : blocks) pool.deallocate(block, 256);
}

TEST(FramePoolDeathTest, ExhaustionIsAClearError) {
  EXPECT_DEATH(
      {
        testing::install_abort_on_panic();
        alignas(16) static unsigned char arena[1024];
        FramePool pool(arena, sizeof arena);
        for (int i = 0; i < 64; ++i) pool.allocate(128);
      },
      "frame pool exhausted");
}

TEST(FramePoolDeathTest, ExhaustedPoolStopsASpawnCleanly) {
  EXPECT_DEATH(
      {
        testing::install_abort_on_panic();
        alignas(16) static unsigned char arena[2048];
        FramePool pool(arena, sizeof arena);
        Executor executor(pool);
        auto task = []() -> Task<void> { co_return; };
        std::vector<Task<void>> tasks;
        for (int i = 0; i < 100; ++i) tasks.push_back(task());
      },
      "frame pool exhausted");
}

TEST(FramePoolDeathTest, OversizedFrameIsAClearError) {
  EXPECT_DEATH(
      {
        testing::install_abort_on_panic();
        HeapFramePool pool;
        pool.allocate(FramePool::kMaxBlock + 1);
      },
      "larger than the frame pool");
}

TEST(FramePoolTest, PoolsAreNumberedAndNumbersAreReused) {
  testing::install_abort_on_panic();
  std::uint8_t first = 0;
  {
    HeapFramePool a;
    first = a.number();
    EXPECT_EQ(&FramePool::numbered(first), &a);
    HeapFramePool b;
    EXPECT_NE(b.number(), first);
    EXPECT_EQ(&FramePool::numbered(b.number()), &b);
  }
  HeapFramePool c;
  EXPECT_EQ(c.number(), first);
}

TEST(FramePoolDeathTest, TooManyLivePoolsIsAClearError) {
  EXPECT_DEATH(
      {
        testing::install_abort_on_panic();
        std::vector<HeapFramePool> pools(FramePool::kMaxPools + 1);
      },
      "too many frame pools");
}

// --- zero heap allocations in steady state ---

Task<int> trivial(int x) { co_return x; }

Task<void> waiter(Event& event, int& woken) {
  for (;;) {
    co_await event;
    event.reset();
    ++woken;
  }
}

TEST_F(ExecutorTest, SpawnAndCompleteAllocateNothingInSteadyState) {
  for (int i = 0; i < 10; ++i) executor.spawn_detached(trivial(i));  // warm the pool
  executor.run();
  const auto heap_before = heap_allocations();
  const auto chunks_before = frames.stats().chunks;
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 10; ++i) executor.spawn_detached(trivial(i));
    JoinHandle<int> joined = executor.spawn(trivial(round));
    executor.run();
    EXPECT_EQ(*joined.outcome(), round);
  }
  EXPECT_EQ(heap_allocations(), heap_before);
  EXPECT_EQ(frames.stats().chunks, chunks_before);
  EXPECT_EQ(frames.stats().live_blocks, 0u);
}

TEST_F(ExecutorTest, ResumeAllocatesNothing) {
  Event event;
  int woken = 0;
  JoinHandle<void> handle = executor.spawn(waiter(event, woken));
  executor.run();
  const auto heap_before = heap_allocations();
  const auto reserved_before = frames.stats().reserved_bytes;
  for (int i = 0; i < 10'000; ++i) {
    event.set();
    executor.run();
  }
  EXPECT_EQ(woken, 10'000);
  EXPECT_EQ(heap_allocations(), heap_before);
  EXPECT_EQ(frames.stats().reserved_bytes, reserved_before);
  handle.cancel();  // the event dies with the test: the waiter must go first
  executor.run();
}

TEST_F(ExecutorTest, WhenAllAllocatesNothingBeyondItsFrames) {
  auto body = [&]() -> Task<int> {
    Task<int> tasks[64];
    for (int round = 0; round < 100; ++round) {
      for (int i = 0; i < 64; ++i) tasks[i] = trivial(i);
      co_await when_all(tasks);
    }
    co_return co_await tasks[63];
  };
  executor.block_on(body());  // warm-up
  const auto heap_before = heap_allocations();
  const auto chunks_before = frames.stats().chunks;
  EXPECT_EQ(*executor.block_on(body()), 63);
  EXPECT_EQ(heap_allocations(), heap_before);
  EXPECT_EQ(frames.stats().chunks, chunks_before);
}

}  // namespace
}  // namespace corokit::exec
