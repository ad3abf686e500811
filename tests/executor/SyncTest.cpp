#include <memory>
#include <string>
#include <vector>

#include "executor/Channel.h"
#include "executor/Event.h"
#include "executor/Mutex.h"
#include "executor/Semaphore.h"
#include "executor/Yield.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using testing::ExecutorTest;

// --- Event ---

TEST_F(ExecutorTest, EventIsManualReset) {
  Event event;
  std::vector<int> log;
  auto waiter = [&](int id) -> Task<void> {
    co_await event;
    log.push_back(id);
  };
  executor.spawn_detached(waiter(1));
  executor.run();
  event.set();
  executor.run();
  executor.spawn_detached(waiter(2));  // set: completes at once
  executor.run();
  event.reset();
  executor.spawn_detached(waiter(3));
  executor.run();
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  event.set();
  executor.run();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

TEST_F(ExecutorTest, DestroyingAnEventWithWaitersPanics) {
  EXPECT_DEATH(
      {
        auto event = std::make_unique<Event>();
        auto waiter = [&]() -> Task<void> { co_await *event; };
        executor.spawn_detached(waiter());
        executor.run();
        event.reset();
      },
      "Event destroyed while tasks wait");
}

// --- Mutex ---

TEST_F(ExecutorTest, MutexIsExclusiveAndFair) {
  Mutex mutex;
  std::vector<std::string> log;
  auto worker = [&](std::string name) -> Task<void> {
    LockGuard guard = co_await mutex.lock();
    log.push_back(name + "+");
    co_await yield_now();
    co_await yield_now();
    log.push_back(name + "-");
  };
  for (const char* name : {"a", "b", "c"}) executor.spawn_detached(worker(name));
  executor.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a+", "a-", "b+", "b-", "c+", "c-"}));
  EXPECT_FALSE(mutex.is_locked());
}

TEST_F(ExecutorTest, MutexTryLockDoesNotBargePastTheHolder) {
  Mutex mutex;
  EXPECT_TRUE(mutex.try_lock());
  EXPECT_FALSE(mutex.try_lock());
  mutex.unlock();
  EXPECT_FALSE(mutex.is_locked());
}

TEST_F(ExecutorTest, MutexWaiterCancelledWhileWaitingLeavesTheQueue) {
  Mutex mutex;
  std::vector<int> got;
  auto worker = [&](int id) -> Task<void> {
    LockGuard guard = co_await mutex.lock();
    got.push_back(id);
  };
  ASSERT_TRUE(mutex.try_lock());
  JoinHandle<void> first = executor.spawn(worker(1));
  JoinHandle<void> second = executor.spawn(worker(2));
  executor.run();
  first.cancel();
  executor.run();
  mutex.unlock();
  executor.run();
  EXPECT_EQ(got, std::vector<int>{2});
  EXPECT_FALSE(mutex.is_locked());
}

TEST_F(ExecutorTest, MutexHandedToACancelledWaiterPassesOn) {
  Mutex mutex;
  std::vector<int> got;
  auto worker = [&](int id) -> Task<void> {
    LockGuard guard = co_await mutex.lock();
    got.push_back(id);
  };
  ASSERT_TRUE(mutex.try_lock());
  JoinHandle<void> first = executor.spawn(worker(1));
  JoinHandle<void> second = executor.spawn(worker(2));
  executor.run();
  mutex.unlock();  // handed to the first waiter, which is now ready
  first.cancel();  // ... and cancelled before it ran
  executor.run();
  EXPECT_EQ(got, std::vector<int>{2});
  EXPECT_FALSE(mutex.is_locked());
}

// --- Semaphore ---

TEST_F(ExecutorTest, SemaphoreLimitsConcurrency) {
  Semaphore semaphore(2);
  int inside = 0;
  int most = 0;
  auto worker = [&]() -> Task<void> {
    co_await semaphore.acquire();
    ++inside;
    most = std::max(most, inside);
    co_await yield_now();
    --inside;
    semaphore.release();
  };
  for (int i = 0; i < 6; ++i) executor.spawn_detached(worker());
  executor.run();
  EXPECT_EQ(most, 2);
  EXPECT_EQ(semaphore.available(), 2u);
}

TEST_F(ExecutorTest, SemaphorePermitHandedToACancelledWaiterIsGivenBack) {
  Semaphore semaphore(0);
  int acquired = 0;
  auto worker = [&]() -> Task<void> {
    co_await semaphore.acquire();
    ++acquired;
  };
  JoinHandle<void> first = executor.spawn(worker());
  JoinHandle<void> second = executor.spawn(worker());
  executor.run();
  semaphore.release();
  first.cancel();
  executor.run();
  EXPECT_EQ(acquired, 1);  // the second one got it
  EXPECT_TRUE(second.done());
  EXPECT_EQ(semaphore.available(), 0u);
}

TEST_F(ExecutorTest, SemaphoreReleaseOfManyWakesInOrderAndKeepsTheRest) {
  Semaphore semaphore(0);
  std::vector<int> order;
  auto worker = [&](int id) -> Task<void> {
    co_await semaphore.acquire();
    order.push_back(id);
  };
  for (int id = 0; id < 3; ++id) executor.spawn_detached(worker(id));
  executor.run();
  semaphore.release(5);
  executor.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(semaphore.available(), 2u);
  EXPECT_TRUE(semaphore.try_acquire());
}

// --- Channel ---

TEST_F(ExecutorTest, ChannelDeliversInOrderWithBackPressure) {
  Channel<int, 2> channel;
  std::vector<int> received;
  std::vector<std::string> log;
  auto producer = [&]() -> Task<void> {
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(co_await channel.send(i));
      log.push_back("sent" + std::to_string(i));
    }
    channel.close();
  };
  auto consumer = [&]() -> Task<void> {
    while (Optional<int> value = co_await channel.receive()) {
      received.push_back(*value);
      log.push_back("got" + std::to_string(*value));
    }
  };
  executor.spawn_detached(producer());
  executor.spawn_detached(consumer());
  executor.run();
  EXPECT_EQ(received, (std::vector<int>{0, 1, 2, 3, 4}));
  // The producer stopped at the capacity until the consumer made room.
  EXPECT_EQ(log[0], "sent0");
  EXPECT_EQ(log[1], "sent1");
  EXPECT_EQ(log[2], "got0");
}

TEST_F(ExecutorTest, ChannelMovesMoveOnlyValues) {
  Channel<std::unique_ptr<int>, 1> channel;
  auto body = [&]() -> Task<int> {
    co_await channel.send(std::make_unique<int>(5));
    Optional<std::unique_ptr<int>> value = co_await channel.receive();
    co_return **value;
  };
  EXPECT_EQ(*executor.block_on(body()), 5);
}

TEST_F(ExecutorTest, ChannelTryOperations) {
  Channel<int, 1> channel;
  EXPECT_FALSE(channel.try_receive().has_value());
  EXPECT_TRUE(channel.try_send(1));
  EXPECT_FALSE(channel.try_send(2));
  EXPECT_EQ(*channel.try_receive(), 1);
  channel.close();
  EXPECT_FALSE(channel.try_send(3));
}

TEST_F(ExecutorTest, ChannelCloseFailsWaitingSendersAndDrainsReceivers) {
  Channel<int, 1> channel;
  bool sent = true;
  auto sender = [&]() -> Task<void> {
    co_await channel.send(1);
    sent = co_await channel.send(2);  // waits: full
  };
  executor.spawn_detached(sender());
  executor.run();
  channel.close();
  executor.run();
  EXPECT_FALSE(sent);
  EXPECT_EQ(*channel.try_receive(), 1);
  auto receiver = [&]() -> Task<bool> { co_return (co_await channel.receive()).has_value(); };
  EXPECT_FALSE(*executor.block_on(receiver()));
}

TEST_F(ExecutorTest, ChannelItemPromisedToACancelledReceiverGoesToTheNext) {
  Channel<int, 4> channel;
  std::vector<int> got;
  auto receiver = [&](int id) -> Task<void> {
    Optional<int> value = co_await channel.receive();
    got.push_back(id * 100 + *value);
  };
  JoinHandle<void> first = executor.spawn(receiver(1));
  JoinHandle<void> second = executor.spawn(receiver(2));
  executor.run();
  EXPECT_TRUE(channel.try_send(7));  // promised to the first receiver
  first.cancel();
  executor.run();
  EXPECT_EQ(got, std::vector<int>{207});
  EXPECT_EQ(channel.size(), 0u);
}

TEST_F(ExecutorTest, ChannelNoBargingPastAWokenReceiver) {
  Channel<int, 4> channel;
  std::vector<int> got;
  auto receiver = [&]() -> Task<void> { got.push_back(*(co_await channel.receive())); };
  executor.spawn_detached(receiver());
  executor.run();
  EXPECT_TRUE(channel.try_send(1));
  EXPECT_FALSE(channel.try_receive().has_value());  // item 1 belongs to the woken receiver
  executor.run();
  EXPECT_EQ(got, std::vector<int>{1});
}

TEST_F(ExecutorTest, ChannelCancelledSenderLosesNothing) {
  Channel<int, 1> channel;
  auto sender = [&](int value) -> Task<void> { co_await channel.send(value); };
  EXPECT_TRUE(channel.try_send(1));
  JoinHandle<void> blocked = executor.spawn(sender(2));
  JoinHandle<void> next = executor.spawn(sender(3));
  executor.run();
  blocked.cancel();
  executor.run();
  EXPECT_EQ(*channel.try_receive(), 1);
  executor.run();
  EXPECT_EQ(*channel.try_receive(), 3);
  EXPECT_FALSE(channel.try_receive().has_value());
}

}  // namespace
}  // namespace corokit::exec
