#include "executor/AsyncPd.h"

namespace corokit::exec {

AsyncPd::AsyncPd(PdPlatform& platform, FramePool& frames, AsyncPdConfig config) noexcept
    : platform_(platform), config_(config), executor_(frames) {
  if (config_.turn_budget == 0) config_.turn_budget = 1;
}

AsyncPd::~AsyncPd() {
  while (turn_end_hooks_ != nullptr) remove_turn_end_hook(*turn_end_hooks_);
}

void AsyncPd::add_turn_end_hook(TurnEndHook& hook) noexcept {
  if (hook.pd_ != nullptr) panic("corokit executor: a turn-end hook is already registered");
  hook.pd_ = this;
  hook.next_ = nullptr;
  TurnEndHook** last = &turn_end_hooks_;
  while (*last != nullptr) last = &(*last)->next_;
  *last = &hook;
}

void AsyncPd::remove_turn_end_hook(TurnEndHook& hook) noexcept {
  for (TurnEndHook** link = &turn_end_hooks_; *link != nullptr; link = &(*link)->next_) {
    if (*link == &hook) {
      *link = hook.next_;
      break;
    }
  }
  hook.next_ = nullptr;
  hook.pd_ = nullptr;
}

void AsyncPd::on_notified(ChannelId channel) noexcept {
  check(channel);
  ++stats_.notifications_received;
  sources_.poll(channel);
  WaitQueue& waiting = awaiting_[channel];
  if (waiting.empty()) {
    latched_ |= std::uint64_t{1} << channel;
    ++stats_.notifications_latched;
  } else {
    waiting.wake_all();
  }
}

TurnResult AsyncPd::run_turn() noexcept {
  TurnResult result;
  ++stats_.turns;
  bool again = false;
  for (;;) {
    result.resumed += executor_.run(config_.turn_budget - result.resumed);
    again = false;
    for (TurnEndHook* hook = turn_end_hooks_; hook != nullptr;) {
      TurnEndHook* next = hook->next_;
      again |= hook->on_turn_end();
      hook = next;
    }
    // Tasks a hook made ready (a polling adapter found a response or a request in its queue) run in
    // this turn while the budget lasts: going round the event loop first costs the PD a look at
    // every event word, and a depth-1 block read crossed that twice (measured: docs/block.md).
    if (!executor_.has_ready() || result.resumed >= config_.turn_budget) break;
  }
  result.more_work = again || executor_.has_ready();
  flush();
  return result;
}

void AsyncPd::flush() noexcept {
  // Take the masks first: the platform may call back into entry points of another PD, never ours.
  std::uint64_t acks = outgoing_ack_;
  std::uint64_t notifies = outgoing_notify_;
  outgoing_ack_ = outgoing_notify_ = 0;
  while (acks != 0) {
    const auto channel = static_cast<ChannelId>(__builtin_ctzll(acks));
    acks &= acks - 1;
    platform_.irq_ack(channel);
  }
  while (notifies != 0) {
    const auto channel = static_cast<ChannelId>(__builtin_ctzll(notifies));
    notifies &= notifies - 1;
    platform_.notify(channel);
    ++stats_.notifications_sent;
  }
}

}  // namespace corokit::exec

