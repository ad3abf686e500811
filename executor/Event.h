#pragma once

#include "executor/WaitQueue.h"

// A manual-reset event for tasks of one PD. `co_await event` (or event.wait()) completes at once
// while the event is set; set() wakes every waiting task in the order they started waiting.
// Destroying an event with tasks waiting on it is a panic.

namespace corokit::exec {

class Event {
 public:
  explicit Event(bool initially_set = false) noexcept : set_(initially_set) {}
  ~Event() {
    if (!waiters_.empty()) panic("corokit executor: Event destroyed while tasks wait on it");
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool is_set() const noexcept { return set_; }
  void set() noexcept {
    set_ = true;
    waiters_.wake_all();
  }
  void reset() noexcept { set_ = false; }

  class Awaiter : Waiter {
   public:
    explicit Awaiter(Event& event) noexcept : event_(event) {}
    Awaiter(const Awaiter&) = delete;
    ~Awaiter() { event_.waiters_.remove(*this); }

    bool await_ready() const noexcept { return event_.set_; }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task = &detail::suspend_point(awaiting);
      event_.waiters_.push_back(*this);
    }
    void await_resume() const noexcept {}

   private:
    Event& event_;
  };

  Awaiter wait() noexcept { return Awaiter(*this); }
  Awaiter operator co_await() noexcept { return Awaiter(*this); }

 private:
  WaitQueue waiters_;
  bool set_;
};

}  // namespace corokit::exec
