#pragma once

#include <cstddef>

#include "executor/TaskGroup.h"

// A structured group of tasks that cannot outlive its owner:
//
//   TaskScope scope(executor);
//   scope.spawn(serve(client_a));
//   scope.spawn(serve(client_b));
//   co_await scope.join();          // resumes when every child has finished
//
// Children run concurrently on the executor; their results are discarded (use when_all or a
// JoinHandle for results). cancel() cancels every child at its suspension point. Destroying the
// scope destroys the children that are still running at once, running their destructors, so a
// scope declared in a task's frame ends with that frame, cancelled or not. An exception escaping a
// child is a panic (nobody awaits it).

namespace corokit::exec {

class TaskScope {
 public:
  explicit TaskScope(Executor& executor) noexcept : executor_(executor) {}

  template <class T>
  void spawn(Task<T> task) noexcept {
    auto child = task.release();
    if (!child) panic("corokit executor: spawning an empty Task");
    group_.start(executor_, child, false);
  }

  void cancel() noexcept { group_.cancel_all(); }
  std::size_t size() const noexcept { return group_.remaining(); }

  class JoinAwaiter {
   public:
    explicit JoinAwaiter(detail::TaskGroup& group) noexcept : group_(group) {}
    JoinAwaiter(const JoinAwaiter&) = delete;
    ~JoinAwaiter() {
      if (parent_ != nullptr) group_.unpark(*parent_);
    }
    bool await_ready() const noexcept { return group_.remaining() == 0; }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      parent_ = &detail::suspend_point(awaiting);
      group_.park(*parent_);
    }
    void await_resume() const noexcept {}

   private:
    detail::TaskGroup& group_;
    TaskRecord* parent_ = nullptr;
  };

  // Resumes when no child is left (at once if none is).
  JoinAwaiter join() noexcept { return JoinAwaiter(group_); }

 private:
  Executor& executor_;
  detail::TaskGroup group_;
};

}  // namespace corokit::exec
