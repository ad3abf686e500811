#pragma once

#include <cstdint>
#include <utility>

#include "executor/WaitQueue.h"

// An async mutex for tasks of one PD, fair (FIFO): unlock() hands the lock directly to the first
// waiting task. `co_await mutex.lock()` yields a LockGuard that unlocks when destroyed. A waiter
// cancelled after the lock was handed to it, before it ran, passes the lock on.

namespace corokit::exec {

class Mutex;

class [[nodiscard]] LockGuard {
 public:
  LockGuard() noexcept = default;
  explicit LockGuard(Mutex& mutex) noexcept : mutex_(&mutex) {}
  LockGuard(LockGuard&& other) noexcept : mutex_(std::exchange(other.mutex_, nullptr)) {}
  LockGuard& operator=(LockGuard&& other) noexcept {
    if (this != &other) {
      unlock();
      mutex_ = std::exchange(other.mutex_, nullptr);
    }
    return *this;
  }
  ~LockGuard() { unlock(); }

  bool owns_lock() const noexcept { return mutex_ != nullptr; }
  inline void unlock() noexcept;

 private:
  Mutex* mutex_ = nullptr;
};

class Mutex {
 public:
  Mutex() noexcept = default;
  ~Mutex() {
    if (!waiters_.empty()) panic("corokit executor: Mutex destroyed while tasks wait on it");
  }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  bool is_locked() const noexcept { return locked_; }
  bool try_lock() noexcept {
    if (locked_) return false;
    locked_ = true;
    return true;
  }
  void unlock() noexcept {
    if (auto* next = static_cast<LockAwaiter*>(waiters_.pop_front())) {
      next->granted_ = true;  // stays locked: ownership passes to `next`
      next->wake();
    } else {
      locked_ = false;
    }
  }

  class LockAwaiter : Waiter {
   public:
    explicit LockAwaiter(Mutex& mutex) noexcept : mutex_(mutex) {}
    LockAwaiter(const LockAwaiter&) = delete;
    ~LockAwaiter() {
      mutex_.waiters_.remove(*this);
      if (granted_) mutex_.unlock();  // handed the lock but cancelled before taking it
    }

    bool await_ready() noexcept { return mutex_.try_lock(); }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task = &detail::suspend_point(awaiting);
      mutex_.waiters_.push_back(*this);
    }
    LockGuard await_resume() noexcept {
      granted_ = false;
      return LockGuard(mutex_);
    }

   private:
    friend class Mutex;
    Mutex& mutex_;
    bool granted_ = false;
  };

  LockAwaiter lock() noexcept { return LockAwaiter(*this); }

 private:
  WaitQueue waiters_;
  bool locked_ = false;
};

inline void LockGuard::unlock() noexcept {
  if (Mutex* mutex = std::exchange(mutex_, nullptr)) mutex->unlock();
}

}  // namespace corokit::exec
