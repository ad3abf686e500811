#include <string>
#include <vector>

#include "executor/Event.h"
#include "executor/TaskScope.h"
#include "executor/WhenAll.h"
#include "executor/WhenAny.h"
#include "executor/Yield.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using testing::ExecutorTest;
using testing::Tracked;
using testing::Tracker;

Task<int> after_yields(int value, int yields) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  co_return value;
}

Task<void> nothing() { co_return; }

Task<int> wait_then(Event& event, int value) {
  co_await event;
  co_return value;
}

Task<int> hold_then(Tracker& tracker, Event& event, int value) {
  Tracked local(tracker);
  co_await event;
  co_return value;
}

TEST_F(ExecutorTest, WhenAllPackReturnsEveryResult) {
  auto body = [&]() -> Task<std::string> {
    auto [a, b, unit] = co_await when_all(after_yields(1, 3), after_yields(2, 0), nothing());
    static_assert(std::is_same_v<decltype(unit), Unit>);
    co_return std::to_string(a) + std::to_string(b);
  };
  EXPECT_EQ(*executor.block_on(body()), "12");
}

TEST_F(ExecutorTest, WhenAllRunsTasksConcurrently) {
  Event event;
  auto body = [&]() -> Task<int> {
    // The second task releases the first: only works if both run at once.
    auto release = [&]() -> Task<int> {
      event.set();
      co_return 2;
    };
    auto [a, b] = co_await when_all(wait_then(event, 1), release());
    co_return a + b;
  };
  EXPECT_EQ(*executor.block_on(body()), 3);
}

TEST_F(ExecutorTest, WhenAllOfARangeLeavesResultsInTheTasks) {
  auto body = [&]() -> Task<int> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 100; ++i) tasks.push_back(after_yields(i, i % 3));
    co_await when_all(tasks);
    int sum = 0;
    for (auto& task : tasks) {
      EXPECT_TRUE(task.done());
      sum += co_await task;
    }
    co_return sum;
  };
  EXPECT_EQ(*executor.block_on(body()), 4950);
}

TEST_F(ExecutorTest, WhenAllOfNothingCompletesAtOnce) {
  auto body = [&]() -> Task<int> {
    std::vector<Task<int>> none;
    co_await when_all(none);
    co_await when_all();
    co_return 1;
  };
  EXPECT_EQ(*executor.block_on(body()), 1);
}

TEST_F(ExecutorTest, WhenAnyReturnsTheFirstAndCleansUpTheLosers) {
  Tracker tracker;
  Event never;
  auto body = [&]() -> Task<int> {
    auto result = co_await when_any(hold_then(tracker, never, 1), after_yields(2, 2), hold_then(tracker, never, 3));
    // Both losers were destroyed before we resumed.
    EXPECT_EQ(tracker.alive(), 0);
    EXPECT_EQ(tracker.constructed, 2);
    co_return static_cast<int>(result.index) * 10 + result.value;
  };
  EXPECT_EQ(*executor.block_on(body()), 12);
  EXPECT_EQ(executor.live_tasks(), 0u);
}

TEST_F(ExecutorTest, WhenAnyOfARangeReturnsTheWinnersIndex) {
  Tracker tracker;
  Event never;
  auto body = [&]() -> Task<int> {
    Task<int> tasks[] = {hold_then(tracker, never, 0), after_yields(7, 1), hold_then(tracker, never, 2)};
    const std::size_t winner = co_await when_any(tasks);
    EXPECT_TRUE(tasks[0].cancelled());
    EXPECT_TRUE(tasks[2].cancelled());
    EXPECT_EQ(tracker.alive(), 0);
    co_return static_cast<int>(winner) * 10 + co_await tasks[winner];
  };
  EXPECT_EQ(*executor.block_on(body()), 17);
}

TEST_F(ExecutorTest, WhenAnyWinnerIsTheFirstToComplete) {
  auto body = [&]() -> Task<std::size_t> {
    auto result = co_await when_any(after_yields(0, 5), after_yields(1, 3), after_yields(2, 4));
    co_return result.index;
  };
  EXPECT_EQ(*executor.block_on(body()), 1u);
}

TEST_F(ExecutorTest, CancellingAWhenAllDestroysItsChildren) {
  Tracker tracker;
  Event never;
  auto body = [&]() -> Task<void> { co_await when_all(hold_then(tracker, never, 1), hold_then(tracker, never, 2)); };
  JoinHandle<void> handle = executor.spawn(body());
  executor.run();
  EXPECT_EQ(tracker.alive(), 2);
  EXPECT_EQ(executor.live_tasks(), 3u);
  handle.cancel();
  executor.run();
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(executor.live_tasks(), 0u);
  EXPECT_TRUE(handle.cancelled());
}

TEST_F(ExecutorTest, CancellingAWhenAnyWhileChildrenAreQueuedLeavesNothingBehind) {
  Tracker tracker;
  Event event;
  auto body = [&]() -> Task<void> {
    co_await when_any(hold_then(tracker, event, 1), hold_then(tracker, event, 2));
  };
  JoinHandle<void> handle = executor.spawn(body());
  executor.run();
  event.set();     // both children are now queued
  handle.cancel(); // the parent is queued after them, cancelled
  executor.run();
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(executor.live_tasks(), 0u);
}

#if defined(__cpp_exceptions)
Task<int> fails_after(int yields) {
  for (int i = 0; i < yields; ++i) co_await yield_now();
  throw std::runtime_error("child failed");
}

TEST_F(ExecutorTest, WhenAllRethrowsAChildsException) {
  auto body = [&]() -> Task<std::string> {
    try {
      co_await when_all(after_yields(1, 1), fails_after(2));
    } catch (const std::runtime_error& error) {
      co_return error.what();
    }
    co_return "none";
  };
  EXPECT_EQ(*executor.block_on(body()), "child failed");
}

TEST_F(ExecutorTest, WhenAnyRethrowsTheWinnersException) {
  Event never;
  auto body = [&]() -> Task<std::string> {
    try {
      co_await when_any(wait_then(never, 1), fails_after(0));
    } catch (const std::runtime_error& error) {
      co_return error.what();
    }
    co_return "none";
  };
  EXPECT_EQ(*executor.block_on(body()), "child failed");
}
#endif

// --- structured scopes ---

TEST_F(ExecutorTest, ScopeJoinWaitsForEveryChild) {
  std::vector<int> done;
  auto child = [&](int id, int yields) -> Task<void> {
    for (int i = 0; i < yields; ++i) co_await yield_now();
    done.push_back(id);
  };
  auto body = [&]() -> Task<std::size_t> {
    TaskScope scope(executor);
    scope.spawn(child(1, 3));
    scope.spawn(child(2, 1));
    scope.spawn(child(3, 0));
    EXPECT_EQ(scope.size(), 3u);
    co_await scope.join();
    co_return done.size();
  };
  EXPECT_EQ(*executor.block_on(body()), 3u);
  EXPECT_EQ(done, (std::vector<int>{3, 2, 1}));
}

TEST_F(ExecutorTest, ScopeCannotOutliveItsParent) {
  Tracker tracker;
  Event never;
  auto body = [&]() -> Task<void> {
    TaskScope scope(executor);
    scope.spawn(hold_then(tracker, never, 1));
    scope.spawn(hold_then(tracker, never, 2));
    co_await scope.join();
  };
  JoinHandle<void> handle = executor.spawn(body());
  executor.run();
  EXPECT_EQ(tracker.alive(), 2);
  handle.cancel();
  executor.run();
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(executor.live_tasks(), 0u);
}

TEST_F(ExecutorTest, LeavingAScopeWithoutJoinDestroysItsChildren) {
  Tracker tracker;
  Event never;
  auto body = [&]() -> Task<int> {
    {
      TaskScope scope(executor);
      scope.spawn(hold_then(tracker, never, 1));
      co_await yield_now();
      EXPECT_EQ(tracker.alive(), 1);
    }
    EXPECT_EQ(tracker.alive(), 0);
    co_return 0;
  };
  EXPECT_TRUE(executor.block_on(body()).has_value());
}

TEST_F(ExecutorTest, ScopeCancelCancelsEveryChildAndJoinReturns) {
  Tracker tracker;
  Event never;
  auto body = [&]() -> Task<int> {
    TaskScope scope(executor);
    scope.spawn(hold_then(tracker, never, 1));
    scope.spawn(hold_then(tracker, never, 2));
    co_await yield_now();
    scope.cancel();
    co_await scope.join();
    co_return tracker.alive();
  };
  EXPECT_EQ(*executor.block_on(body()), 0);
}

}  // namespace
}  // namespace corokit::exec
