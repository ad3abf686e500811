#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "executor/Executor.h"
#include "executor/Yield.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using testing::ExecutorTest;

Task<int> constant(int value) { co_return value; }

Task<int> add(int a, int b) {
  const int x = co_await constant(a);
  const int y = co_await constant(b);
  co_return x + y;
}

TEST_F(ExecutorTest, TaskIsLazyUntilAwaitedOrSpawned) {
  bool started = false;
  auto body = [&]() -> Task<void> {
    started = true;
    co_return;
  };
  Task<void> task = body();
  EXPECT_FALSE(started);
  EXPECT_FALSE(task.done());
  auto outcome = executor.block_on(std::move(task));
  EXPECT_TRUE(started);
  EXPECT_TRUE(outcome.has_value());
}

TEST_F(ExecutorTest, AwaitingReturnsTheResult) {
  auto outcome = executor.block_on(add(20, 22));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(*outcome, 42);
}

TEST_F(ExecutorTest, MoveOnlyResults) {
  auto make = []() -> Task<std::unique_ptr<std::string>> { co_return std::make_unique<std::string>("frame"); };
  auto outer = [&]() -> Task<std::string> {
    auto p = co_await make();
    co_return *p + "s";
  };
  auto outcome = executor.block_on(outer());
  EXPECT_EQ(*outcome, "frames");
}

TEST_F(ExecutorTest, LvalueAwaitOfACompletedTaskYieldsItsResultAgain) {
  auto outer = [&]() -> Task<int> {
    Task<int> t = constant(7);
    const int first = co_await t;
    const int second = co_await t;
    co_return first + second;
  };
  EXPECT_EQ(*executor.block_on(outer()), 14);
}

Task<int> count_down(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await count_down(n - 1);
}

TEST_F(ExecutorTest, DeepAwaitChainsUseSymmetricTransfer) {
  // Each level completes synchronously; without symmetric transfer the resumptions would nest on
  // the stack. 20'000 levels of frames, each awaited.
  EXPECT_EQ(*executor.block_on(count_down(20'000)), 20'000);
}

// GCC 12 makes symmetric transfer a tail call only when optimising (-O0 keeps a stack frame per
// transfer): the unbounded case is checked in optimised builds, a bounded one in debug builds.
#if defined(__OPTIMIZE__)
constexpr int kSynchronousAwaits = 1'000'000;
#else
constexpr int kSynchronousAwaits = 5'000;
#endif

TEST_F(ExecutorTest, LongLoopsOfSynchronousAwaitsDoNotGrowTheStack) {
  auto loop = [&]() -> Task<long> {
    long sum = 0;
    for (int i = 0; i < kSynchronousAwaits; ++i) sum += co_await constant(1);
    co_return sum;
  };
  EXPECT_EQ(*executor.block_on(loop()), kSynchronousAwaits);
}

TEST_F(ExecutorTest, FrameAddressIsThePoolBlockBehindTheRecord) {
  // TaskRecord.h relies on it: the frame starts where the promise's operator new said.
  const auto live_before = frames.stats().live_blocks;
  Task<int> task = constant(1);
  EXPECT_EQ(frames.stats().live_blocks, live_before + 1);
  TaskRecord& record = detail::record_of_frame(task.handle().address());
  EXPECT_EQ(&FramePool::numbered(record.pool), &frames);
  EXPECT_EQ(record.state, TaskState::Idle);
  EXPECT_TRUE(record.frame_alive());
}

TEST_F(ExecutorTest, DestroyingAnUnstartedTaskFreesItsFrame) {
  const auto live_before = frames.stats().live_blocks;
  {
    Task<int> task = add(1, 2);
    EXPECT_EQ(frames.stats().live_blocks, live_before + 1);
  }
  EXPECT_EQ(frames.stats().live_blocks, live_before);
}

TEST_F(ExecutorTest, TaskIsMoveOnly) {
  static_assert(!std::is_copy_constructible_v<Task<int>>);
  static_assert(std::is_nothrow_move_constructible_v<Task<int>>);
  Task<int> a = constant(5);
  Task<int> b = std::move(a);
  EXPECT_FALSE(static_cast<bool>(a));
  EXPECT_TRUE(static_cast<bool>(b));
  a = std::move(b);
  EXPECT_EQ(*executor.block_on(std::move(a)), 5);
}

#if defined(__cpp_exceptions)
Task<int> throws() {
  throw std::runtime_error("boom");
  co_return 0;
}

TEST_F(ExecutorTest, ExceptionReachesTheAwaitingTask) {
  auto outer = [&]() -> Task<std::string> {
    try {
      co_await throws();
    } catch (const std::runtime_error& error) {
      co_return error.what();
    }
    co_return "no exception";
  };
  EXPECT_EQ(*executor.block_on(outer()), "boom");
}

TEST_F(ExecutorTest, ExceptionReachesTheJoiner) {
  auto outer = [&]() -> Task<std::string> {
    auto handle = executor.spawn(throws());
    try {
      co_await handle;
    } catch (const std::runtime_error& error) {
      co_return error.what();
    }
    co_return "no exception";
  };
  EXPECT_EQ(*executor.block_on(outer()), "boom");
}

TEST_F(ExecutorTest, ExceptionReachesTheCallerOfBlockOn) {
  EXPECT_THROW(executor.block_on(throws()), std::runtime_error);
}

TEST(ExecutorDeathTest, ExceptionEscapingADetachedTaskPanics) {
  EXPECT_DEATH(
      {
        testing::install_abort_on_panic();
        HeapFramePool frames;
        Executor executor(frames);
        executor.spawn_detached(throws());
        executor.run();
      },
      "exception escaped a detached");
}
#endif

TEST(ExecutorDeathTest, TaskWithoutAnInstalledPoolPanics) {
  EXPECT_DEATH(
      {
        testing::install_abort_on_panic();
        Task<int> t = constant(1);
      },
      "no frame pool installed");
}

TEST_F(ExecutorTest, AwaitingAnEmptyTaskPanics) {
  auto outer = [&]() -> Task<void> {
    Task<int> empty;
    co_await empty;
  };
  EXPECT_DEATH(executor.block_on(outer()), "awaiting an empty Task");
}

}  // namespace
}  // namespace corokit::exec
