#pragma once

#include "executor/Executor.h"

// An intrusive FIFO of suspended awaiters, the building block of the sync primitives and of the
// channel-notification wait. Each Waiter lives in the awaiting coroutine's frame; an awaiter's
// destructor removes it, so a task destroyed while waiting (cancelled) leaves no dangling entry.

namespace corokit::exec {

struct Waiter {
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  TaskRecord* task = nullptr;
  bool queued = false;

  void wake() noexcept { task->executor->schedule(*task); }
};

class WaitQueue {
 public:
  WaitQueue() noexcept = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  bool empty() const noexcept { return head_ == nullptr; }

  void push_back(Waiter& waiter) noexcept {
    waiter.prev = tail_;
    waiter.next = nullptr;
    waiter.queued = true;
    if (tail_ != nullptr) {
      tail_->next = &waiter;
    } else {
      head_ = &waiter;
    }
    tail_ = &waiter;
  }

  Waiter* pop_front() noexcept {
    Waiter* waiter = head_;
    if (waiter != nullptr) remove(*waiter);
    return waiter;
  }

  void remove(Waiter& waiter) noexcept {
    if (!waiter.queued) return;
    (waiter.prev != nullptr ? waiter.prev->next : head_) = waiter.next;
    (waiter.next != nullptr ? waiter.next->prev : tail_) = waiter.prev;
    waiter.prev = waiter.next = nullptr;
    waiter.queued = false;
  }

  // Wakes every waiter, in the order they started waiting.
  void wake_all() noexcept {
    while (Waiter* waiter = pop_front()) waiter->wake();
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace corokit::exec
