#pragma once

#include <cstddef>

#include "executor/WaitQueue.h"

// A counting semaphore for tasks of one PD, fair (FIFO): release() hands permits directly to
// waiting tasks in order. A waiter cancelled after a permit was handed to it gives the permit back.

namespace corokit::exec {

class Semaphore {
 public:
  explicit Semaphore(std::size_t permits) noexcept : permits_(permits) {}
  ~Semaphore() {
    if (!waiters_.empty()) panic("corokit executor: Semaphore destroyed while tasks wait on it");
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  std::size_t available() const noexcept { return permits_; }
  bool try_acquire() noexcept {
    if (permits_ == 0 || !waiters_.empty()) return false;
    --permits_;
    return true;
  }
  void release(std::size_t count = 1) noexcept {
    for (; count > 0; --count) {
      auto* next = static_cast<AcquireAwaiter*>(waiters_.pop_front());
      if (next == nullptr) break;
      next->granted_ = true;
      next->wake();
    }
    permits_ += count;
  }

  class AcquireAwaiter : Waiter {
   public:
    explicit AcquireAwaiter(Semaphore& semaphore) noexcept : semaphore_(semaphore) {}
    AcquireAwaiter(const AcquireAwaiter&) = delete;
    ~AcquireAwaiter() {
      semaphore_.waiters_.remove(*this);
      if (granted_) semaphore_.release();  // handed a permit but cancelled before taking it
    }

    bool await_ready() noexcept { return semaphore_.try_acquire(); }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task = &detail::suspend_point(awaiting);
      semaphore_.waiters_.push_back(*this);
    }
    void await_resume() noexcept { granted_ = false; }

   private:
    friend class Semaphore;
    Semaphore& semaphore_;
    bool granted_ = false;
  };

  // Completes once a permit is taken; give it back with release().
  AcquireAwaiter acquire() noexcept { return AcquireAwaiter(*this); }

 private:
  WaitQueue waiters_;
  std::size_t permits_;
};

}  // namespace corokit::exec
