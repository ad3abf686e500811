#include <string>
#include <vector>

#include "executor/AsyncPd.h"
#include "executor/Event.h"
#include "executor/Yield.h"
#include "executor/host/PdHarness.h"
#include "tests/executor/TestSupport.h"

namespace corokit::exec {
namespace {

using Sent = PdHarness::Sent;

class AsyncPdTest : public ::testing::Test {
 protected:
  AsyncPdTest() { testing::install_abort_on_panic(); }
  PdHarness harness;
  AsyncPd& pd = harness.pd();
};

Task<void> wait_on(AsyncPd& pd, ChannelId channel, std::vector<std::string>& log, std::string name, int times) {
  for (int i = 0; i < times; ++i) {
    co_await pd.channel(channel).notified();
    log.push_back(name);
  }
}

TEST_F(AsyncPdTest, NotificationWakesExactlyTheTasksAwaitingThatChannel) {
  std::vector<std::string> log;
  pd.spawn_detached(wait_on(pd, 1, log, "one-a", 10));
  pd.spawn_detached(wait_on(pd, 2, log, "two", 10));
  pd.spawn_detached(wait_on(pd, 1, log, "one-b", 10));
  harness.start();
  EXPECT_TRUE(log.empty());
  harness.deliver(1);
  EXPECT_EQ(log, (std::vector<std::string>{"one-a", "one-b"}));
  log.clear();
  harness.deliver(2);
  EXPECT_EQ(log, std::vector<std::string>{"two"});
}

TEST_F(AsyncPdTest, ChannelsOfOneWakeUpAreDeliveredInAscendingOrder) {
  std::vector<std::string> log;
  pd.spawn_detached(wait_on(pd, 5, log, "five", 1));
  pd.spawn_detached(wait_on(pd, 0, log, "zero", 1));
  pd.spawn_detached(wait_on(pd, 61, log, "sixty-one", 1));
  harness.start();
  harness.deliver({61, 5, 0});
  EXPECT_EQ(log, (std::vector<std::string>{"zero", "five", "sixty-one"}));
}

TEST_F(AsyncPdTest, NotificationWhileNobodyWaitsIsLatched) {
  std::vector<std::string> log;
  harness.deliver(4);  // nobody awaits yet
  EXPECT_EQ(pd.stats().notifications_latched, 1u);
  pd.spawn_detached(wait_on(pd, 4, log, "late", 2));
  harness.start();
  EXPECT_EQ(log, std::vector<std::string>{"late"});  // consumed the latch, then waits again
  harness.deliver(4);
  EXPECT_EQ(log, (std::vector<std::string>{"late", "late"}));
}

TEST_F(AsyncPdTest, NotificationsRaisedInATurnAreSentOncePerChannelAtItsEnd) {
  auto producer = [&]() -> Task<void> {
    for (;;) {
      co_await pd.channel(1).notified();
      for (int i = 0; i < 10; ++i) {
        pd.notify(7);  // e.g. one per enqueued buffer
        pd.channel(3).notify();
        co_await yield_now();
      }
      pd.irq_ack(2);
      pd.irq_ack(2);
    }
  };
  pd.spawn_detached(producer());
  harness.start();
  EXPECT_TRUE(harness.sent().empty());
  harness.deliver(1);
  ASSERT_EQ(harness.sent().size(), 3u);
  EXPECT_EQ(harness.sent()[0].kind, Sent::IrqAck);  // acks first, then ascending notifications
  EXPECT_EQ(harness.sent()[0].channel, 2);
  EXPECT_EQ(harness.sent()[1].channel, 3);
  EXPECT_EQ(harness.sent()[2].channel, 7);
  EXPECT_EQ(pd.stats().notify_requests, 20u);
  EXPECT_EQ(pd.stats().notifications_sent, 2u);
}

TEST_F(AsyncPdTest, TurnBudgetBoundsTheWorkOfOneTurn) {
  PdHarness small({.turn_budget = 4});
  AsyncPd& busy = small.pd();
  int steps = 0;
  auto spinner = [&]() -> Task<void> {
    for (int i = 0; i < 10; ++i) {
      ++steps;
      busy.notify(1);
      co_await yield_now();
    }
  };
  busy.spawn_detached(spinner());
  TurnResult turn = small.run_turn();
  EXPECT_EQ(turn.resumed, 4u);
  EXPECT_TRUE(turn.more_work);
  EXPECT_EQ(steps, 4);
  EXPECT_EQ(small.sent_count(Sent::Notify, 1), 1u);  // flushed even though work remains
  // Between turns the runtime serves a PPC caller, then carries on.
  int served = small.ppcall([&] { return steps; });
  EXPECT_EQ(served, 4);
  EXPECT_EQ(steps, 10);
  EXPECT_GE(small.sent_count(Sent::Notify, 1), 3u);
}

class CountingSource final : public EventSource {
 public:
  explicit CountingSource(Event& event) : event_(event) {}
  void on_notified(ChannelId channel) noexcept override {
    polled.push_back(channel);
    event_.set();
  }
  std::vector<ChannelId> polled;

 private:
  Event& event_;
};

TEST_F(AsyncPdTest, EventSourcesArePolledOnlyForTheirChannel) {
  Event ring_ready;
  CountingSource rx(ring_ready);
  CountingSource tx(ring_ready);
  pd.sources().attach(8, rx);
  pd.sources().attach(9, tx);
  bool woke = false;
  auto task = [&]() -> Task<void> {
    co_await ring_ready;
    woke = true;
  };
  pd.spawn_detached(task());
  harness.start();
  harness.deliver(10);
  EXPECT_TRUE(rx.polled.empty());
  EXPECT_TRUE(tx.polled.empty());
  harness.deliver(8);
  EXPECT_EQ(rx.polled, std::vector<ChannelId>{8});
  EXPECT_TRUE(tx.polled.empty());
  EXPECT_TRUE(woke);
  rx.detach();
  harness.deliver(8);
  EXPECT_EQ(rx.polled.size(), 1u);
}

TEST_F(AsyncPdTest, PpcReplyPreparedByATask) {
  // Pattern: protected() wakes a task and runs a turn before replying; the task finishes within it.
  Event request;
  int reply_value = 0;
  auto worker = [&]() -> Task<void> {
    for (;;) {
      co_await request;
      request.reset();
      reply_value += 10;
    }
  };
  JoinHandle<void> handle = pd.spawn(worker());
  harness.start();
  int reply = harness.ppcall([&] {
    request.set();
    pd.run_turn();
    return reply_value;
  });
  EXPECT_EQ(reply, 10);
  handle.cancel();  // `request` dies with the test: the worker must go first
  harness.run_until_idle();
}

TEST_F(AsyncPdTest, PpcJoinsATaskThatCompletesWithinTheCall) {
  auto compute = [](int x) -> Task<int> {
    co_await yield_now();
    co_return x * x;
  };
  harness.start();
  int reply = harness.ppcall([&] {
    JoinHandle<int> job = pd.spawn(compute(12));
    pd.run_turn();
    return job.done() ? *job.outcome() : -1;  // -1: "busy, ask again" reply
  });
  EXPECT_EQ(reply, 144);
}

TEST_F(AsyncPdTest, VirtualTimeDeliversTimedNotificationsInOrder) {
  std::vector<std::string> log;
  pd.spawn_detached(wait_on(pd, 1, log, "timer", 2));
  pd.spawn_detached(wait_on(pd, 2, log, "other", 1));
  harness.start();
  harness.deliver_at(2'000, 1);
  harness.deliver_at(1'000, 2);
  harness.deliver_at(5'000, 1);
  harness.advance_time(1'500);
  EXPECT_EQ(log, std::vector<std::string>{"other"});
  EXPECT_EQ(harness.now(), 1'500u);
  harness.advance_time(10'000);
  EXPECT_EQ(log, (std::vector<std::string>{"other", "timer", "timer"}));
  EXPECT_EQ(harness.now(), 11'500u);
}

TEST_F(AsyncPdTest, CancelledChannelWaiterLeavesNoEntryBehind) {
  std::vector<std::string> log;
  JoinHandle<void> waiter = pd.spawn(wait_on(pd, 6, log, "six", 1));
  harness.start();
  waiter.cancel();
  harness.run_until_idle();
  EXPECT_TRUE(waiter.cancelled());
  harness.deliver(6);  // latched now: nobody waits
  EXPECT_EQ(pd.stats().notifications_latched, 1u);
  EXPECT_TRUE(log.empty());
}

TEST_F(AsyncPdTest, InjectingFromInsideATurnPanics) {
  auto bad = [&]() -> Task<void> {
    harness.deliver(1);
    co_return;
  };
  pd.spawn_detached(bad());
  EXPECT_DEATH(harness.start(), "entry points never nest");
}

TEST_F(AsyncPdTest, ChannelIdAboveTheLimitPanics) { EXPECT_DEATH(pd.notify(62), "channel id above 61"); }

}  // namespace
}  // namespace corokit::exec
