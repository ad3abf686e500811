#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "executor/AsyncPd.h"
#include "executor/Outcome.h"
#include "executor/Task.h"
#include "executor/TaskGroup.h"
#include "executor/Time.h"
#include "executor/TimerQueue.h"

// The timer service of a PD: the client side of the timer protocol (PROTOCOLS.md §2.6).
//
//   TimerService timers(pd, device, kTimerChannel);
//   Instant t = timers.now();                                   // a clock-page read, never a PPC
//   co_await timers.sleep_for(Duration::milliseconds(5));
//   co_await timers.sleep_until(t + Duration::seconds(1));
//   Outcome<int> r = co_await timers.timeout(Duration::milliseconds(50), fetch());   // cancelled on expiry
//   Interval every(timers, Duration::seconds(1));               // no drift; missed-tick policy
//   for (;;) { Tick tick = co_await every.tick(); ... }
//
// Any number of timers, each an intrusive node in the frame of the coroutine that awaits it (no
// allocation), in one TimerQueue. The driver sees one deadline per PD: the service issues
// SET_DEADLINE at the end of a turn, only when the earliest deadline became earlier than the armed
// one or the armed one fired while timers remain; cancelling issues no PPC (a deadline left armed
// too early costs one spurious wake-up). Expired timers wake their tasks in deadline order, ties
// first-in first-out. Awaiting a timer always suspends: one whose deadline has already passed fires
// at the end of the turn (no PPC), in deadline order with the others that have.

namespace corokit::exec {

// How the service reaches the clock and the timer driver: on a PD, sdk/TimerClient.h (clock page
// and PPCs); in tests, a fake driver with virtual time.
class TimerDevice {
 public:
  // Nanoseconds since the system epoch.
  virtual std::uint64_t now() noexcept = 0;
  // Arms this PD's deadline at the driver (SET_DEADLINE), replacing the previous one. Returns false
  // when the driver refused it.
  virtual bool set_deadline(std::uint64_t deadline) noexcept = 0;

 protected:
  ~TimerDevice() = default;
};

struct TimerStats {
  std::uint64_t deadline_requests = 0;  // SET_DEADLINE sent to the driver
  std::uint64_t deadline_refused = 0;   // ... and answered with an error
  std::uint64_t wakeups = 0;            // notifications on the timer channel
  std::uint64_t spurious_wakeups = 0;   // ... that expired no timer
  std::uint64_t expired = 0;            // timers that expired
  std::uint64_t spin_turns = 0;         // turns that polled for a close deadline (TimerConfig::spin)
};

struct TimerConfig {
  // When the earliest deadline is this close, the PD polls (keeps running turns) instead of waiting
  // for the driver's notification, and expires the timer itself: lateness drops to a turn's length
  // at the price of spinning for up to this long before each expiry. 0: never spin.
  Duration spin = Duration::zero();
};

class TimerService;

class SleepAwaiter : TimerNode {
 public:
  SleepAwaiter(TimerService& timers, Instant deadline) noexcept : timers_(timers) {
    this->deadline = deadline.ns();
    expire = &wake;
  }
  SleepAwaiter(const SleepAwaiter&) = delete;
  inline ~SleepAwaiter();

  bool await_ready() const noexcept { return false; }
  template <detail::TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept;
  void await_resume() const noexcept {}

 private:
  static void wake(TimerNode& node) noexcept {
    TaskRecord& task = *static_cast<SleepAwaiter&>(node).task_;
    task.executor->schedule(task);
  }
  TimerService& timers_;
  TaskRecord* task_ = nullptr;
};

// co_await yields Outcome<T>: the task's result if it finished before the deadline, otherwise
// "cancelled" (the task was cancelled at its suspension point and destroyed before the awaiting
// task resumes). A task that finishes in the same turn as the deadline passes still wins; with a
// deadline already passed, the task runs until it first suspends.
template <class T>
class TimeoutAwaiter : TimerNode {
 public:
  TimeoutAwaiter(TimerService& timers, Instant deadline, Task<T> task) noexcept
      : timers_(timers), task_(std::move(task)) {
    if (!task_) panic("corokit executor: timeout() of an empty Task");
    this->deadline = deadline.ns();
    expire = &on_expiry;
  }
  TimeoutAwaiter(const TimeoutAwaiter&) = delete;
  inline ~TimeoutAwaiter();

  bool await_ready() const noexcept { return false; }
  template <detail::TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept;
  Outcome<T> await_resume();

 private:
  static void on_expiry(TimerNode& node) noexcept { static_cast<TimeoutAwaiter&>(node).group_.cancel_all(); }

  TimerService& timers_;
  Task<T> task_;  // declared before the group: the group (and a still-running child) goes first
  detail::TaskGroup group_;
  TaskRecord* parent_ = nullptr;
};

class TimerService final : EventSource, TurnEndHook {
 public:
  // Serves the tasks of `pd` with `device`, whose expiry notifications arrive on `channel`. Becomes
  // the installed service (the free functions below use it) until destroyed.
  TimerService(AsyncPd& pd, TimerDevice& device, ChannelId channel, TimerConfig config = {}) noexcept;
  // Timers must be gone first (their tasks finished or cancelled): a pending timer is a panic.
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Reads the clock.
  Instant now() noexcept {
    const std::uint64_t t = device_.now();
    if (t > latest_now_) latest_now_ = t;
    return Instant::from_ns(t);
  }
  // The latest clock reading the service has seen (no read).
  Instant last_now() const noexcept { return Instant::from_ns(latest_now_); }

  [[nodiscard]] SleepAwaiter sleep_until(Instant deadline) noexcept { return SleepAwaiter(*this, deadline); }
  [[nodiscard]] SleepAwaiter sleep_for(Duration duration) noexcept { return SleepAwaiter(*this, now() + duration); }
  template <class T>
  [[nodiscard]] TimeoutAwaiter<T> timeout_at(Instant deadline, Task<T> task) noexcept {
    return TimeoutAwaiter<T>(*this, deadline, std::move(task));
  }
  template <class T>
  [[nodiscard]] TimeoutAwaiter<T> timeout(Duration duration, Task<T> task) noexcept {
    return TimeoutAwaiter<T>(*this, now() + duration, std::move(task));
  }

  std::size_t pending() const noexcept { return queue_.size(); }
  const TimerStats& stats() const noexcept { return stats_; }
  const TimerConfig& config() const noexcept { return config_; }
  void set_config(TimerConfig config) noexcept { config_ = config; }
  // The deadline armed at the driver, if any.
  bool armed() const noexcept { return armed_; }
  Instant armed_deadline() const noexcept { return Instant::from_ns(armed_deadline_); }

  static TimerService* installed() noexcept { return installed_; }

  // --- for awaitables ---
  void add(TimerNode& node) noexcept { queue_.insert(node); }
  void cancel(TimerNode& node) noexcept { queue_.remove(node); }

 private:
  void on_notified(ChannelId channel) noexcept override;
  bool on_turn_end() noexcept override;
  void expire(std::uint64_t now) noexcept;

  AsyncPd& pd_;
  TimerDevice& device_;
  TimerConfig config_;
  TimerQueue queue_;
  std::uint64_t latest_now_ = 0;
  std::uint64_t armed_deadline_ = 0;
  bool armed_ = false;
  TimerStats stats_{};
  TimerService* previous_ = nullptr;

  static TimerService* installed_;
};

// What Interval::tick() yields: the instant the tick was due, and how many ticks were missed
// before it (dropped by MissedTicks::Skip, collapsed by MissedTicks::Delay).
struct Tick {
  Instant scheduled;
  std::uint64_t missed = 0;
};

// When a tick is late by a period or more:
//   Burst: the missed ticks follow at once, one per tick() (every tick is delivered; the grid is kept)
//   Skip:  the missed ticks are dropped; the next one is the next due point of the grid
//   Delay: the grid restarts one period after the late tick
enum class MissedTicks : std::uint8_t { Burst, Skip, Delay };

// Periodic ticks at first, first + period, first + 2 period, ... computed from the start, never by
// adding to the time a task woke up, so there is no drift.
class Interval {
 public:
  class TickAwaiter : TimerNode {
   public:
    explicit TickAwaiter(Interval& interval) noexcept : interval_(interval) {
      this->deadline = interval.next_.ns();
      expire = &wake;
    }
    TickAwaiter(const TickAwaiter&) = delete;
    ~TickAwaiter() { interval_.timers_.cancel(*this); }

    bool await_ready() const noexcept { return false; }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task_ = &detail::suspend_point(awaiting);
      touches = task_;
      interval_.timers_.add(*this);
    }
    Tick await_resume() noexcept { return interval_.advance(); }

   private:
    static void wake(TimerNode& node) noexcept {
      TaskRecord& task = *static_cast<TickAwaiter&>(node).task_;
      task.executor->schedule(task);
    }
    Interval& interval_;
    TaskRecord* task_ = nullptr;
  };

  // The first tick is one period from now. A zero period is raised to 1 ns.
  Interval(TimerService& timers, Duration period, MissedTicks policy = MissedTicks::Skip) noexcept
      : Interval(timers, timers.now() + period, period, policy) {}
  Interval(TimerService& timers, Instant first, Duration period, MissedTicks policy = MissedTicks::Skip) noexcept
      : timers_(timers), next_(first), period_(period.ns() == 0 ? Duration::nanoseconds(1) : period), policy_(policy) {}

  // Completes when the next tick is due (at the end of the turn if it already is).
  [[nodiscard]] TickAwaiter tick() noexcept { return TickAwaiter(*this); }
  Instant next() const noexcept { return next_; }
  Duration period() const noexcept { return period_; }
  MissedTicks policy() const noexcept { return policy_; }
  // Restarts the grid at `first`.
  void reset(Instant first) noexcept { next_ = first; }

 private:
  Tick advance() noexcept;

  TimerService& timers_;
  Instant next_;
  Duration period_;
  MissedTicks policy_;
};

// The installed service (panics when there is none) and shorthands for its operations.
inline TimerService& timers() noexcept {
  TimerService* service = TimerService::installed();
  if (service == nullptr) panic("corokit executor: no timer service (construct a TimerService first)");
  return *service;
}
inline Instant now() noexcept { return timers().now(); }
[[nodiscard]] inline SleepAwaiter sleep_for(Duration duration) noexcept { return timers().sleep_for(duration); }
[[nodiscard]] inline SleepAwaiter sleep_until(Instant deadline) noexcept { return timers().sleep_until(deadline); }
template <class T>
[[nodiscard]] TimeoutAwaiter<T> timeout(Duration duration, Task<T> task) noexcept {
  return timers().timeout(duration, std::move(task));
}
template <class T>
[[nodiscard]] TimeoutAwaiter<T> timeout_at(Instant deadline, Task<T> task) noexcept {
  return timers().timeout_at(deadline, std::move(task));
}

// ---- implementation ----

inline SleepAwaiter::~SleepAwaiter() { timers_.cancel(*this); }

template <detail::TaskPromiseType P>
void SleepAwaiter::await_suspend(std::coroutine_handle<P> awaiting) noexcept {
  task_ = &detail::suspend_point(awaiting);
  touches = task_;
  timers_.add(*this);
}

template <class T>
TimeoutAwaiter<T>::~TimeoutAwaiter() {
  timers_.cancel(*this);
  if (parent_ != nullptr) group_.unpark(*parent_);
}

template <class T>
template <detail::TaskPromiseType P>
void TimeoutAwaiter<T>::await_suspend(std::coroutine_handle<P> awaiting) noexcept {
  parent_ = &detail::suspend_point(awaiting);
  group_.start(*parent_->executor, task_.handle(), true);
  timers_.add(*this);
  group_.park(*parent_);
}

template <class T>
Outcome<T> TimeoutAwaiter<T>::await_resume() {
  parent_ = nullptr;
  timers_.cancel(*this);
  if (!task_.done()) return Outcome<T>::cancelled();
  if constexpr (std::is_void_v<T>) {
    task_.handle().promise().result();
    return Outcome<T>::completed();
  } else {
    return Outcome<T>(std::move(task_.handle().promise()).result());
  }
}

}  // namespace corokit::exec
