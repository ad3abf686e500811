// libmicrokit's event-loop semantics (LIBMICROKIT.md §4), driven in-process through a fake kernel:
// delivery order, replies, deferred actions (R3), the passive hand-shake, IRQ start-up acks, turn
// hooks, invalid-channel messages (R5) and message-register bounds (R6).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "sdk/Channel.h"
#include "sdk/EventLoop.h"
#include "sdk/MessageInfo.h"
#include "sdk/include/microkit.h"

namespace {

using corokit::sdk::Event;
using corokit::sdk::Word;
using ::testing::ElementsAre;

struct Recorded {
  std::vector<uint8_t> notify, ack;
  bool passive = false;
  bool reply = false;
  Word reply_info = 0;
  bool poll = false;
};

class FakeKernel final : public corokit::sdk::Kernel {
 public:
  Word mrs[120] = {};
  std::deque<Event> events;
  std::vector<Recorded> waits;
  std::vector<std::string> log;
  std::string console;
  bool checked_mode = false;
  Word next_reply = 0;

  Word* message_registers() override { return mrs; }
  void notify(unsigned ch) override { log.push_back("notify " + std::to_string(ch)); }
  void irq_ack(unsigned ch) override { log.push_back("ack " + std::to_string(ch)); }
  Word ppcall(unsigned ch, Word info) override {
    log.push_back("ppcall " + std::to_string(ch) + " label " + std::to_string(info >> 12));
    return next_reply;
  }
  Event wait(const corokit::sdk::WaitRequest& r) override {
    Recorded rec;
    rec.notify.assign(r.notify, r.notify + r.notify_count);
    rec.ack.assign(r.ack, r.ack + r.ack_count);
    rec.passive = r.become_passive;
    rec.reply = r.reply;
    rec.reply_info = r.reply_info;
    rec.poll = r.poll;
    waits.push_back(rec);
    Event e = events.front();
    events.pop_front();
    return e;
  }
  bool child_control(corokit::sdk::ChildOp op, unsigned child, Word) override {
    log.push_back("child " + std::to_string(static_cast<int>(op)) + " " + std::to_string(child));
    return child == 1;
  }
  void console_write(const char* text, size_t n) override { console.append(text, n); }
  bool checked() const override { return checked_mode; }
};

// The PD under test: entry points that record what they see and do what the test asks.
std::vector<std::string> g_calls;
std::vector<unsigned> g_defer_in_notified;
bool g_fault_resumes = false;
bool g_defer_in_init = false;

}  // namespace

extern "C" {
void init(void) {
  g_calls.push_back("init");
  if (g_defer_in_init) microkit_deferred_notify(4);
}
void notified(microkit_channel ch) {
  g_calls.push_back("notified " + std::to_string(ch));
  for (unsigned c : g_defer_in_notified) microkit_deferred_notify(c);
}
microkit_msginfo microkit_protected_entry(microkit_channel ch, microkit_msginfo msg) {
  g_calls.push_back("protected " + std::to_string(ch) + " label " + std::to_string(microkit_msginfo_get_label(msg)) +
                    " mr0 " + std::to_string(microkit_mr_get(0)));
  microkit_mr_set(0, 99);
  return microkit_msginfo_new(7, 1);
}
seL4_Bool fault(microkit_child child, microkit_msginfo msg, microkit_msginfo* reply) {
  g_calls.push_back("fault " + std::to_string(child) + " label " + std::to_string(microkit_msginfo_get_label(msg)));
  *reply = microkit_msginfo_new(1, 0);
  return g_fault_resumes ? seL4_True : seL4_False;
}
}

namespace {

class EventLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    g_calls.clear();
    g_defer_in_notified.clear();
    g_fault_resumes = false;
    g_defer_in_init = false;
    std::snprintf(microkit_name, sizeof microkit_name, "%s", "pd");
    microkit_notifications = (1u << 2) | (1u << 3) | (1u << 4);
    microkit_irqs = (1u << 10) | (1u << 12);
    microkit_pps = 1u << 5;
  }
  // Flushes what a test left deferred, so tests stay independent.
  void TearDown() override {
    k.events.push_back(Event{Event::Kind::Notifications, 0, 0, 0});
    step();
  }
  void start(bool passive = false) { corokit::sdk::start_loop(k, state, passive, microkit_irqs); }
  void step() { corokit::sdk::run_iteration(k, state); }

  FakeKernel k;
  corokit::sdk::LoopState state;
};

Event notifications(Word bits) { return Event{Event::Kind::Notifications, bits, 0, 0}; }

TEST_F(EventLoop, NotificationsAscendingInOnePass) {
  start();
  k.events.push_back(notifications((Word{1} << 9) | (Word{1} << 0) | (Word{1} << 61) | (Word{1} << 4)));
  step();
  EXPECT_THAT(g_calls, ElementsAre("init", "notified 0", "notified 4", "notified 9", "notified 61"));
}

TEST_F(EventLoop, IrqsAreAcknowledgedOnceWithTheFirstWait) {
  start();
  k.events.push_back(notifications(1));
  k.events.push_back(notifications(1));
  step();
  step();
  EXPECT_THAT(k.waits[0].ack, ElementsAre(10, 12));
  EXPECT_TRUE(k.waits[1].ack.empty());
  EXPECT_FALSE(k.waits[0].passive);
}

TEST_F(EventLoop, PassiveHandshakeTravelsWithTheFirstWaitAndKeepsInitsDeferredAction) {
  g_defer_in_init = true;
  start(/*passive=*/true);
  k.events.push_back(notifications(1));
  k.events.push_back(notifications(1));
  step();
  step();
  EXPECT_TRUE(k.waits[0].passive);
  EXPECT_THAT(k.waits[0].notify, ElementsAre(4)) << "R3: never lost in a passive PD";
  EXPECT_FALSE(k.waits[1].passive);
}

TEST_F(EventLoop, ProtectedCallRepliesWithTheNextWait) {
  start();
  k.mrs[0] = 41;
  k.events.push_back(Event{Event::Kind::ProtectedCall, 0, 5, microkit_msginfo_new(3, 1).words[0]});
  k.events.push_back(notifications(1));
  step();
  step();
  EXPECT_THAT(g_calls, ElementsAre("init", "protected 5 label 3 mr0 41", "notified 0"));
  EXPECT_FALSE(k.waits[0].reply);
  EXPECT_TRUE(k.waits[1].reply);
  EXPECT_EQ(microkit_msginfo_get_label(microkit_msginfo{{k.waits[1].reply_info}}), 7u);
  EXPECT_EQ(k.mrs[0], 99u);
}

TEST_F(EventLoop, FaultRepliesOnlyWhenItReturnsTrue) {
  start();
  k.events.push_back(Event{Event::Kind::ChildFault, 0, 1, microkit_msginfo_new(6, 4).words[0]});
  k.events.push_back(Event{Event::Kind::ChildFault, 0, 1, microkit_msginfo_new(6, 4).words[0]});
  k.events.push_back(notifications(1));
  step();
  g_fault_resumes = true;
  step();
  step();
  EXPECT_FALSE(k.waits[1].reply);
  EXPECT_TRUE(k.waits[2].reply);
}

TEST_F(EventLoop, DeferredActionsAreBatchedInCallOrderWithoutDuplicates) {
  start();
  g_defer_in_notified = {3, 2, 3};
  k.events.push_back(notifications((1u << 0) | (1u << 1)));
  k.events.push_back(notifications(1));
  step();
  EXPECT_TRUE(microkit_have_signal);
  g_defer_in_notified.clear();
  step();
  EXPECT_THAT(k.waits[1].notify, ElementsAre(3, 2)) << "both notified() calls' actions, once each";
  EXPECT_FALSE(microkit_have_signal) << "cleared by the wait (the kernel saw the batch)";
}

TEST_F(EventLoop, DeferredIrqAckAndNotifyAreSeparateBatches) {
  start();
  k.events.push_back(notifications(1));
  k.events.push_back(notifications(1));
  step();
  microkit_deferred_irq_ack(12);
  microkit_deferred_notify(4);
  microkit_deferred_irq_ack(12);
  step();
  EXPECT_THAT(k.waits[1].ack, ElementsAre(12));
  EXPECT_THAT(k.waits[1].notify, ElementsAre(4));
}

int g_hook_runs = 0;
bool hook(void* ctx) {
  ++g_hook_runs;
  if (ctx != nullptr) microkit_deferred_notify(2);
  return false;
}

TEST_F(EventLoop, TurnHooksRunAfterEachWakeUpAndTheirNotificationsFlushWithTheNextWait) {
  static int marker;
  ASSERT_TRUE(corokit::sdk::add_turn_hook(hook, &marker));
  start();
  int after_init = g_hook_runs;
  k.events.push_back(notifications(1));
  k.events.push_back(notifications(1));
  step();
  step();
  EXPECT_EQ(after_init, 1);
  EXPECT_EQ(g_hook_runs, 3);
  EXPECT_THAT(k.waits[1].notify, ElementsAre(2));
  EXPECT_TRUE(corokit::sdk::remove_turn_hook(hook, &marker));
}

int g_busy_turns = 0;
bool busy_hook(void*) { return --g_busy_turns > 0; }

TEST_F(EventLoop, AHookWithMoreWorkTurnsTheNextWaitIntoAPoll) {
  g_busy_turns = 3;  // the hook has work for its first two runs
  ASSERT_TRUE(corokit::sdk::add_turn_hook(busy_hook, nullptr));
  start();  // run 1 (after init): more work
  k.events.push_back(Event{});  // nothing pending: the poll returns an empty word
  k.events.push_back(Event{});
  k.events.push_back(notifications(1));
  step();  // run 2: more work
  step();  // run 3: done
  step();
  ASSERT_EQ(k.waits.size(), 3u);
  EXPECT_TRUE(k.waits[0].poll);
  EXPECT_TRUE(k.waits[1].poll);
  EXPECT_FALSE(k.waits[2].poll);
  EXPECT_TRUE(corokit::sdk::remove_turn_hook(busy_hook, nullptr));
}

TEST_F(EventLoop, InvalidChannelsPrintMicrokitsMessagesAndDoNothing) {
  start();
  microkit_notify(9);
  microkit_irq_ack(3);
  microkit_msginfo r = microkit_ppcall(2, microkit_msginfo_new(1, 0));
  microkit_deferred_notify(70);
  microkit_deferred_irq_ack(4);
  EXPECT_EQ(r.words[0], 0u);
  EXPECT_TRUE(k.log.empty());
  k.events.push_back(notifications(1));
  step();
  EXPECT_TRUE(k.waits[0].notify.empty());
  EXPECT_THAT(k.waits[0].ack, ElementsAre(10, 12)) << "only the start-up acks";
  EXPECT_EQ(k.console,
            "pd microkit_notify: invalid channel given '9'\n"
            "pd microkit_irq_ack: invalid channel given '3'\n"
            "pd microkit_ppcall: invalid channel given '2'\n"
            "pd microkit_deferred_notify: invalid channel given '70'\n"
            "pd microkit_deferred_irq_ack: invalid channel given '4'\n");
}

TEST_F(EventLoop, ValidOperationsReachTheKernel) {
  start();
  microkit_notify(3);
  microkit_irq_ack(10);
  k.next_reply = microkit_msginfo_new(5, 0).words[0];
  microkit_msginfo r = microkit_ppcall(5, microkit_msginfo_new(8, 0));
  EXPECT_EQ(microkit_msginfo_get_label(r), 5u);
  EXPECT_THAT(k.log, ElementsAre("notify 3", "ack 10", "ppcall 5 label 8"));
}

TEST_F(EventLoop, MessageRegisterBoundsAreDiagnosed) {
  start();
  microkit_mr_set(119, 5);
  EXPECT_EQ(microkit_mr_get(119), 5u);
  microkit_mr_set(120, 5);
  EXPECT_EQ(microkit_mr_get(200), 0u);
  microkit_msginfo m = microkit_msginfo_new(1, 121);
  EXPECT_EQ(microkit_msginfo_get_count(m), 120u);
  EXPECT_EQ(k.console,
            "pd microkit_mr_set: invalid message register index given '120'\n"
            "pd microkit_mr_get: invalid message register index given '200'\n"
            "pd microkit_msginfo_new: invalid message count given '121'\n");
}

TEST_F(EventLoop, ChildControlFailureMessages) {
  start();
  microkit_pd_stop(1);
  EXPECT_THAT(k.log, ElementsAre("child 1 1"));
  EXPECT_DEATH(microkit_pd_stop(5), "");
}

TEST(MessageInfo, LayoutMatchesSeL4) {
  microkit_msginfo m = microkit_msginfo_new(0x12345, 7);
  EXPECT_EQ(m.words[0], (uint64_t{0x12345} << 12) | 7);
  EXPECT_EQ(microkit_msginfo_get_label(microkit_msginfo_new(~uint64_t{0}, 0)), (uint64_t{1} << 52) - 1);
  corokit::MessageInfo cpp(0x12345, 7);
  EXPECT_EQ(cpp.word(), m.words[0]);
  EXPECT_EQ(cpp.label(), 0x12345u);
  EXPECT_EQ(cpp.count(), 7u);
}

// Facets: what a typed handle cannot do does not compile.
template <typename C>
concept CanNotify = requires(C c) { c.notify(); };
template <typename C>
concept CanCall = requires(C c) { c.ppcall(corokit::MessageInfo()); };
template <typename C>
concept CanAck = requires(C c) { c.ack(); };
static_assert(CanNotify<corokit::NotifyChannel> && !CanCall<corokit::NotifyChannel> && !CanAck<corokit::NotifyChannel>);
static_assert(CanCall<corokit::CallChannel> && !CanAck<corokit::CallChannel>);
static_assert(CanAck<corokit::IrqChannel> && !CanNotify<corokit::IrqChannel>);
static_assert(std::is_convertible_v<corokit::Channel, corokit::NotifyChannel>);
static_assert(!std::is_convertible_v<corokit::NotifyChannel, corokit::CallChannel>);

}  // namespace
