#pragma once

#include "executor/Executor.h"

// `co_await yield_now()` puts the task at the back of the ready queue, letting every task that is
// ready run first.

namespace corokit::exec {

struct YieldAwaiter {
  bool await_ready() const noexcept { return false; }
  template <detail::TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) const noexcept {
    TaskRecord& task = detail::suspend_point(awaiting);
    task.executor->schedule(task);
  }
  void await_resume() const noexcept {}
};

inline YieldAwaiter yield_now() noexcept { return {}; }

}  // namespace corokit::exec
