#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/EventSource.h"
#include "executor/Executor.h"
#include "executor/PdPlatform.h"
#include "executor/WaitQueue.h"

// The async PD base: one executor per PD, driven by the PD runtime through the entry points of
// the seam (executor/PdPlatform.h).
//
//   on_notified(ch)  polls the event sources registered for `ch` and wakes exactly the tasks
//                    awaiting `channel(ch).notified()`. If none awaits, the notification is latched
//                    and the next notified() on that channel completes at once, so a notification
//                    arriving while a task is busy is never lost.
//   run_turn()       runs ready tasks until none is ready or the turn budget is spent, then the
//                    turn-end hooks; tasks the hooks made ready run in the same turn (then the
//                    hooks again) while the budget lasts. Then it sends the IRQ acks and
//                    notifications raised during the turn, once per channel.
//
// PD code raises notifications with notify(ch) / channel(ch).notify(): they are deduplicated and
// sent when the turn ends, which is what lets sDDF-style queues send one notification per batch.

namespace corokit::exec {

struct AsyncPdConfig {
  // Task resumptions per turn; a busy PD returns to its event loop after this many, so PPC callers
  // and other channels are served.
  std::size_t turn_budget = 1024;
};

struct TurnResult {
  std::size_t resumed = 0;  // task resumptions in this turn
  bool more_work = false;   // ready tasks remain (budget spent): poll for events, then run again
};

class AsyncPd;

// Work an adapter does once per turn, after the turn's tasks ran and before the turn's IRQ acks and
// notifications are sent (the timer service arms its driver here). Hooks run in registration
// order. A hook may make tasks ready (they run in the same turn, and the hooks run again after
// them: a polling adapter that finds a response at a turn's end saves a pass of the PD's event
// loop; in a depth-1 block read, 1.59 -> 1.29 us), or return true to be called again soon
// (e.g. a request the driver refused): run_turn() then reports more_work, so the PD polls instead
// of waiting. A hook unregisters itself when destroyed.
class TurnEndHook {
 public:
  TurnEndHook() noexcept = default;
  TurnEndHook(const TurnEndHook&) = delete;
  TurnEndHook& operator=(const TurnEndHook&) = delete;

  virtual bool on_turn_end() noexcept = 0;

 protected:
  inline ~TurnEndHook();

 private:
  friend class AsyncPd;
  TurnEndHook* next_ = nullptr;
  AsyncPd* pd_ = nullptr;
};

// One end of a PD channel, as seen by tasks.
class ChannelEnd {
 public:
  ChannelEnd(AsyncPd& pd, ChannelId id) noexcept : pd_(&pd), id_(id) {}
  ChannelId id() const noexcept { return id_; }

  class NotifiedAwaiter : Waiter {
   public:
    NotifiedAwaiter(AsyncPd& pd, ChannelId id) noexcept : pd_(pd), id_(id) {}
    NotifiedAwaiter(const NotifiedAwaiter&) = delete;
    inline ~NotifiedAwaiter();
    inline bool await_ready() noexcept;
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept;
    void await_resume() const noexcept {}

   private:
    AsyncPd& pd_;
    ChannelId id_;
  };

  // Completes when a notification arrives on this channel (at once if one is latched).
  NotifiedAwaiter notified() noexcept { return NotifiedAwaiter(*pd_, id_); }
  // Queues a notification to the other end, sent at the end of the turn.
  inline void notify() noexcept;
  // Queues an IRQ acknowledgement, performed at the end of the turn.
  inline void irq_ack() noexcept;

 private:
  AsyncPd* pd_;
  ChannelId id_;
};

class AsyncPd {
 public:
  // `frames` must outlive the AsyncPd; it becomes the installed frame pool.
  AsyncPd(PdPlatform& platform, FramePool& frames, AsyncPdConfig config = {}) noexcept;
  ~AsyncPd();
  AsyncPd(const AsyncPd&) = delete;
  AsyncPd& operator=(const AsyncPd&) = delete;

  // --- entry points for the PD runtime ---
  void on_notified(ChannelId channel) noexcept;
  TurnResult run_turn() noexcept;

  // --- for the PD's code ---
  Executor& executor() noexcept { return executor_; }
  EventSourceRegistry& sources() noexcept { return sources_; }
  void add_turn_end_hook(TurnEndHook& hook) noexcept;
  void remove_turn_end_hook(TurnEndHook& hook) noexcept;
  ChannelEnd channel(ChannelId id) noexcept {
    check(id);
    return ChannelEnd(*this, id);
  }
  void notify(ChannelId id) noexcept {
    check(id);
    ++stats_.notify_requests;
    outgoing_notify_ |= std::uint64_t{1} << id;
  }
  void irq_ack(ChannelId id) noexcept {
    check(id);
    outgoing_ack_ |= std::uint64_t{1} << id;
  }
  template <class T>
  [[nodiscard]] JoinHandle<T> spawn(Task<T> task) noexcept {
    return executor_.spawn(static_cast<Task<T>&&>(task));
  }
  template <class T>
  void spawn_detached(Task<T> task) noexcept {
    executor_.spawn_detached(static_cast<Task<T>&&>(task));
  }

  // Counters for tests and benchmarks.
  struct Stats {
    std::uint64_t turns = 0;
    std::uint64_t notifications_received = 0;
    std::uint64_t notifications_latched = 0;
    std::uint64_t notifications_sent = 0;
    std::uint64_t notify_requests = 0;  // notify() calls, before deduplication
  };
  const Stats& stats() const noexcept { return stats_; }

 private:
  friend class ChannelEnd;

  static void check(ChannelId id) noexcept {
    if (id >= kMaxChannels) panic("corokit executor: channel id above 61");
  }
  void flush() noexcept;

  PdPlatform& platform_;
  AsyncPdConfig config_;
  EventSourceRegistry sources_;
  TurnEndHook* turn_end_hooks_ = nullptr;
  WaitQueue awaiting_[kMaxChannels];
  std::uint64_t latched_ = 0;
  std::uint64_t outgoing_notify_ = 0;
  std::uint64_t outgoing_ack_ = 0;
  Stats stats_{};
  // Last: destroyed first, so tasks unlink from the queues and sources above while they exist.
  Executor executor_;
};

inline TurnEndHook::~TurnEndHook() {
  if (pd_ != nullptr) pd_->remove_turn_end_hook(*this);
}

inline ChannelEnd::NotifiedAwaiter::~NotifiedAwaiter() { pd_.awaiting_[id_].remove(*this); }

inline bool ChannelEnd::NotifiedAwaiter::await_ready() noexcept {
  const std::uint64_t bit = std::uint64_t{1} << id_;
  if ((pd_.latched_ & bit) == 0) return false;
  pd_.latched_ &= ~bit;
  return true;
}

template <detail::TaskPromiseType P>
void ChannelEnd::NotifiedAwaiter::await_suspend(std::coroutine_handle<P> awaiting) noexcept {
  task = &detail::suspend_point(awaiting);
  pd_.awaiting_[id_].push_back(*this);
}

inline void ChannelEnd::notify() noexcept { pd_->notify(id_); }
inline void ChannelEnd::irq_ack() noexcept { pd_->irq_ack(id_); }

}  // namespace corokit::exec
