#include <string>
#include <vector>

#include "executor/Event.h"
#include "executor/Executor.h"
#include "executor/StopToken.h"
#include "executor/WhenAll.h"
#include "executor/Yield.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using testing::ExecutorTest;
using testing::Tracked;
using testing::Tracker;

Task<void> record_steps(std::vector<std::string>& log, std::string name, int steps) {
  for (int i = 0; i < steps; ++i) {
    log.push_back(name + std::to_string(i));
    co_await yield_now();
  }
}

TEST_F(ExecutorTest, SpawnedTasksInterleaveInFifoOrder) {
  std::vector<std::string> log;
  executor.spawn_detached(record_steps(log, "a", 3));
  executor.spawn_detached(record_steps(log, "b", 2));
  executor.spawn_detached(record_steps(log, "c", 1));
  executor.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a0", "b0", "c0", "a1", "b1", "a2"}));
  EXPECT_EQ(executor.live_tasks(), 0u);
}

Task<void> wait_and_log(Event& event, std::vector<int>& log, int id) {
  co_await event;
  log.push_back(id);
}

TEST_F(ExecutorTest, WakeUpsAreDeliveredInWaitOrder) {
  Event event;
  std::vector<int> log;
  for (int id : {3, 1, 2}) executor.spawn_detached(wait_and_log(event, log, id));
  executor.run();
  EXPECT_TRUE(log.empty());
  event.set();
  EXPECT_TRUE(log.empty());  // set() only makes them ready
  executor.run();
  EXPECT_EQ(log, (std::vector<int>{3, 1, 2}));
}

TEST_F(ExecutorTest, RunHonoursItsBudget) {
  std::vector<std::string> log;
  executor.spawn_detached(record_steps(log, "a", 5));
  EXPECT_EQ(executor.run(2), 2u);
  EXPECT_TRUE(executor.has_ready());
  EXPECT_EQ(log.size(), 2u);
  executor.run();
  EXPECT_EQ(log.size(), 5u);
  EXPECT_FALSE(executor.has_ready());
}

Task<int> wait_then(Event& event, int value) {
  co_await event;
  co_return value;
}

TEST_F(ExecutorTest, JoinHandleAwaitsTheOutcome) {
  Event event;
  auto joiner = [&]() -> Task<int> {
    JoinHandle<int> handle = executor.spawn(wait_then(event, 41));
    Outcome<int> outcome = co_await handle;
    co_return *outcome + 1;
  };
  JoinHandle<int> main = executor.spawn(joiner());
  executor.run();
  EXPECT_FALSE(main.done());
  event.set();
  executor.run();
  ASSERT_TRUE(main.done());
  EXPECT_EQ(*main.outcome(), 42);
}

TEST_F(ExecutorTest, JoiningAFinishedTaskDoesNotSuspend) {
  Event ready(true);
  auto joiner = [&]() -> Task<int> {
    JoinHandle<int> handle = executor.spawn(wait_then(ready, 5));
    co_await yield_now();  // lets it finish first
    EXPECT_TRUE(handle.done());
    co_return *(co_await handle);
  };
  EXPECT_EQ(*executor.block_on(joiner()), 5);
}

TEST_F(ExecutorTest, DroppingTheHandleDetaches) {
  Event event;
  std::vector<int> log;
  { JoinHandle<void> handle = executor.spawn(wait_and_log(event, log, 1)); }
  executor.run();
  event.set();
  executor.run();
  EXPECT_EQ(log, std::vector<int>{1});
  EXPECT_EQ(executor.live_tasks(), 0u);
}

// --- cancellation in every state ---

Task<void> hold_and_wait(Tracker& tracker, Event& event, bool& resumed) {
  Tracked local(tracker);
  co_await event;
  resumed = true;
}

TEST_F(ExecutorTest, CancelWhileWaitingRunsDestructorsAtTheSuspensionPoint) {
  Tracker tracker;
  Event event;
  bool resumed = false;
  JoinHandle<void> handle = executor.spawn(hold_and_wait(tracker, event, resumed));
  executor.run();
  EXPECT_EQ(tracker.alive(), 1);
  handle.cancel();
  EXPECT_EQ(tracker.alive(), 1);  // deferred to the executor
  executor.run();
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_TRUE(handle.done());
  EXPECT_TRUE(handle.cancelled());
  EXPECT_FALSE(resumed);
  event.set();  // no dangling waiter left behind
  executor.run();
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(handle.outcome().is_cancelled());
}

TEST_F(ExecutorTest, CancelBeforeTheFirstRunNeverStartsTheTask) {
  Tracker tracker;
  Event event;
  bool resumed = false;
  JoinHandle<void> handle = executor.spawn(hold_and_wait(tracker, event, resumed));
  handle.cancel();
  executor.run();
  EXPECT_EQ(tracker.constructed, 0);
  EXPECT_TRUE(handle.cancelled());
}

TEST_F(ExecutorTest, CancelWhileReadyAfterAWakeUpDestroysInsteadOfResuming) {
  Tracker tracker;
  Event event;
  bool resumed = false;
  JoinHandle<void> handle = executor.spawn(hold_and_wait(tracker, event, resumed));
  executor.run();
  event.set();  // ready now
  handle.cancel();
  executor.run();
  EXPECT_FALSE(resumed);
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_TRUE(handle.cancelled());
}

TEST_F(ExecutorTest, CancelOfTheRunningTaskTakesEffectAtItsNextSuspension) {
  Tracker tracker;
  JoinHandle<void>* self = nullptr;
  bool after_yield = false;
  auto body = [&]() -> Task<void> {
    Tracked local(tracker);
    self->cancel();
    co_await yield_now();
    after_yield = true;
  };
  JoinHandle<void> handle = executor.spawn(body());
  self = &handle;
  executor.run();
  EXPECT_FALSE(after_yield);
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_TRUE(handle.cancelled());
}

TEST_F(ExecutorTest, CancelOfAFinishedTaskKeepsItsResult) {
  Event ready(true);
  JoinHandle<int> handle = executor.spawn(wait_then(ready, 3));
  executor.run();
  handle.cancel();
  executor.run();
  EXPECT_FALSE(handle.cancelled());
  EXPECT_EQ(*handle.outcome(), 3);
}

TEST_F(ExecutorTest, CancelDestroysTheWholeAwaitChainInnermostFirst) {
  std::vector<std::string> log;
  Event event;
  struct Logger {
    std::vector<std::string>& log;
    const char* name;
    ~Logger() { log.push_back(name); }
  };
  auto inner = [&]() -> Task<void> {
    Logger l{log, "inner"};
    co_await event;
  };
  auto middle = [&]() -> Task<void> {
    Logger l{log, "middle"};
    co_await inner();
  };
  auto outer = [&]() -> Task<void> {
    Logger l{log, "outer"};
    co_await middle();
  };
  JoinHandle<void> handle = executor.spawn(outer());
  executor.run();
  handle.cancel();
  executor.run();
  EXPECT_EQ(log, (std::vector<std::string>{"inner", "middle", "outer"}));
}

TEST_F(ExecutorTest, JoinerOfACancelledTaskGetsACancelledOutcome) {
  Event never;
  JoinHandle<int> victim = executor.spawn(wait_then(never, 1));
  auto joiner = [&]() -> Task<bool> {
    Outcome<int> outcome = co_await victim;
    co_return outcome.is_cancelled();
  };
  JoinHandle<bool> result = executor.spawn(joiner());
  executor.run();
  victim.cancel();
  executor.run();
  ASSERT_TRUE(result.done());
  EXPECT_TRUE(*result.outcome());
}

TEST_F(ExecutorTest, CancellingTheJoinerLeavesTheJoinedTaskRunning) {
  Event event;
  JoinHandle<int> joined = executor.spawn(wait_then(event, 9));
  auto joiner = [&]() -> Task<void> { co_await joined; };
  JoinHandle<void> handle = executor.spawn(joiner());
  executor.run();
  handle.cancel();
  executor.run();
  EXPECT_TRUE(handle.cancelled());
  event.set();
  executor.run();
  EXPECT_EQ(*joined.outcome(), 9);
}

TEST_F(ExecutorTest, StopTokenCancelsEveryLinkedTask) {
  Tracker tracker;
  Event never;
  bool resumed = false;
  StopSource stop;
  JoinHandle<void> a = executor.spawn(hold_and_wait(tracker, never, resumed), stop.token());
  JoinHandle<void> b = executor.spawn(hold_and_wait(tracker, never, resumed), stop.token());
  executor.run();
  EXPECT_EQ(tracker.alive(), 2);
  stop.request_stop();
  executor.run();
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_TRUE(a.cancelled());
  EXPECT_TRUE(b.cancelled());
}

TEST_F(ExecutorTest, StopTokenAlreadyStoppedCancelsAtSpawn) {
  Tracker tracker;
  Event never;
  bool resumed = false;
  StopSource stop;
  stop.request_stop();
  JoinHandle<void> a = executor.spawn(hold_and_wait(tracker, never, resumed), stop.token());
  executor.run();
  EXPECT_EQ(tracker.constructed, 0);
  EXPECT_TRUE(a.cancelled());
}

TEST_F(ExecutorTest, FinishedTasksUnlinkFromTheirStopSource) {
  StopSource stop;
  Event ready(true);
  JoinHandle<int> a = executor.spawn(wait_then(ready, 1), stop.token());
  executor.run();
  stop.request_stop();  // must not touch the finished task
  executor.run();
  EXPECT_EQ(*a.outcome(), 1);
}

TEST(StopTokenTest, CallbacksRunOnceInRegistrationOrder) {
  StopSource source;
  std::vector<int> calls;
  auto push = [](void* context) noexcept { static_cast<std::vector<int>*>(context)->push_back(1); };
  StopCallback first(source.token(), push, &calls);
  StopCallback second(source.token(), [](void* context) noexcept { static_cast<std::vector<int>*>(context)->push_back(2); },
                      &calls);
  EXPECT_FALSE(source.token().stop_requested());
  source.request_stop();
  source.request_stop();
  EXPECT_TRUE(source.token().stop_requested());
  EXPECT_EQ(calls, (std::vector<int>{1, 2}));
  EXPECT_FALSE(StopToken().stop_possible());
}

TEST_F(ExecutorTest, ExecutorDestructionDestroysUnfinishedTasks) {
  Tracker tracker;
  Event never;
  bool resumed = false;
  {
    HeapFramePool pool;
    Executor local(pool);
    local.spawn_detached(hold_and_wait(tracker, never, resumed));
    local.spawn_detached(hold_and_wait(tracker, never, resumed));
    local.run();
    EXPECT_EQ(tracker.alive(), 2);
  }
  EXPECT_EQ(tracker.alive(), 0);
  EXPECT_EQ(tracker.constructed, 2);
}

// A parameter that counts itself: it lives in the frame from the call on, so a task destroyed
// before it ever ran still runs its destructor.
class Counted {
 public:
  explicit Counted(Tracker& tracker) : tracker_(&tracker) { ++tracker_->constructed; }
  Counted(Counted&& other) noexcept : tracker_(other.tracker_) { ++tracker_->constructed; }
  Counted(const Counted&) = delete;
  ~Counted() { ++tracker_->destroyed; }

 private:
  Tracker* tracker_;
};

Task<void> wait_holding(Counted, Event& event) { co_await event; }
Task<void> yield_holding(Counted) {
  for (;;) co_await yield_now();
}

TEST_F(ExecutorTest, ExecutorDestructionDestroysTasksInEveryState) {
  // Suspended tasks are in the executor's list; tasks that never ran and tasks that keep yielding
  // are found in the ready queue.
  Tracker tracker;
  Event never;
  {
    HeapFramePool pool;
    {
      Executor local(pool);
      local.spawn_detached(wait_holding(Counted(tracker), never));
      local.spawn_detached(yield_holding(Counted(tracker)));
      local.run(2);
      local.spawn_detached(wait_holding(Counted(tracker), never));  // never runs
      JoinHandle<void> joined = local.spawn(yield_holding(Counted(tracker)));
      joined.detach();
      EXPECT_EQ(local.live_tasks(), 4u);
      EXPECT_EQ(tracker.alive(), 4);
    }
    EXPECT_EQ(tracker.alive(), 0);
    EXPECT_EQ(pool.stats().live_blocks, 0u);
  }
}

// Makes the awaiting task ready again without suspending it, as a wake-up racing with the task's
// own progress would.
struct RescheduleSelf {
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> awaiting) const noexcept {
    TaskRecord& task = detail::suspend_point(awaiting);
    task.executor->schedule(task);
    return false;  // keep running
  }
  void await_resume() const noexcept {}
};

Task<int> complete_while_ready(int value) {
  co_await RescheduleSelf{};
  co_return value;
}

TEST_F(ExecutorTest, TaskThatCompletesWhileReadyIsFinishedOnce) {
  const auto live_before = frames.stats().live_blocks;
  executor.spawn_detached(complete_while_ready(1));
  JoinHandle<int> joined = executor.spawn(complete_while_ready(2));
  EXPECT_EQ(executor.run(), 2u);  // the stale queue entries are skipped, not resumed
  EXPECT_EQ(executor.live_tasks(), 0u);
  ASSERT_TRUE(joined.done());
  EXPECT_EQ(*joined.outcome(), 2);
  joined = {};
  executor.run();
  EXPECT_EQ(frames.stats().live_blocks, live_before);
}

// Destroys the Task object that owns the running coroutine (a bug the executor reports).
Task<void> destroy_own_task(std::vector<Task<void>>& tasks, bool reschedule_first) {
  if (reschedule_first) co_await RescheduleSelf{};
  tasks.clear();
  co_return;
}

TEST_F(ExecutorTest, DestroyingARunningTaskPanicsEvenIfItIsReadyAgain) {
  for (bool reschedule_first : {false, true}) {
    EXPECT_DEATH(
        {
          std::vector<Task<void>> tasks(1);
          auto body = [&]() -> Task<void> {
            tasks[0] = destroy_own_task(tasks, reschedule_first);
            co_await when_all(tasks);
          };
          executor.block_on(body());
        },
        "a running task was destroyed by its owner");
  }
}

TEST_F(ExecutorTest, RunFromInsideATaskPanics) {
  auto body = [&]() -> Task<void> {
    executor.run();
    co_return;
  };
  EXPECT_DEATH(executor.block_on(body()), "run\\(\\) called from inside a task");
}

}  // namespace
}  // namespace corokit::exec
