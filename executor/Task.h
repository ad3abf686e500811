#pragma once

#include <concepts>
#include <coroutine>
#include <type_traits>
#include <utility>
#if defined(__cpp_exceptions)
#include <exception>
#endif

#include "executor/TaskRecord.h"

// Task<T>: a lazily started, move-only coroutine producing a T. `co_await task` starts it by
// symmetric transfer and yields its result (an exception thrown inside is rethrown there, when
// exceptions are enabled). Tasks run concurrently once spawned on an Executor, a TaskScope, or by
// when_all / when_any. A Task can only be awaited from another Task: every awaitable of the
// executor needs the task record that the awaiting coroutine runs in.

namespace corokit::exec {

template <class T = void>
class Task;

namespace detail {

class PromiseBase {
 public:
  static void* operator new(std::size_t bytes) { return allocate_frame(bytes); }
  static void operator delete(void* frame, std::size_t) noexcept { release_frame(frame); }

  std::suspend_always initial_suspend() const noexcept { return {}; }

  // At its end a nested coroutine resumes its awaiter. A spawned root that nobody observes (the
  // common detached task) does not suspend: its frame is destroyed right here, in the same
  // resumption, and the executor is told so; any other root suspends for the executor to finish.
  // A coroutine is a spawned root exactly when its own record was started (a nested frame's stays
  // Idle). The decision is made in final_suspend(), so the awaiter keeps one bool (in the frame's
  // padding).
  struct FinalAwaiter {
    bool in_place;
    bool await_ready() const noexcept { return in_place; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) const noexcept {
      TaskRecord& own = record_of_frame(self.address());
      if (own.state == TaskState::Idle) return std::coroutine_handle<>::from_address(self.promise().continuation_);
      // A root the executor finishes when this resumption returns. One made ready again while it
      // ran stays in the queue until dequeued, and is released then.
      if (own.state == TaskState::Rescheduled) own.set(task_bits::kQueued);
      own.state = TaskState::Completed;
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  // (A nested frame's own record is Idle, never Running: finish_in_place() declines it.)
  static FinalAwaiter final_awaiter(TaskRecord& own) noexcept { return {finish_in_place(own)}; }

  // Set when the coroutine is awaited (a spawned root uses neither, so a spawn writes neither): the
  // task the awaiting coroutine runs in, and the address of the awaiting coroutine.
  TaskRecord* record_;
  void* continuation_;

 protected:
  PromiseBase() noexcept {}

#if defined(__cpp_exceptions)
  // The exception is constructed only when the coroutine throws, and kFailed in the frame's own
  // record says so: the common path pays no exception_ptr calls and no extra store.
  ~PromiseBase() {}
  void capture_exception(TaskRecord& own) noexcept {
    ::new (static_cast<void*>(&exception_)) std::exception_ptr(std::current_exception());
    own.set(task_bits::kFailed);
  }
  void destroy_exception(const TaskRecord& own) noexcept {
    if (own.has(task_bits::kFailed)) exception_.~exception_ptr();
  }
  void rethrow_if_failed(const TaskRecord& own) const {
    if (own.has(task_bits::kFailed)) std::rethrow_exception(exception_);
  }

 private:
  union {
    std::exception_ptr exception_;
  };
#else
  void capture_exception(TaskRecord&) noexcept {
    panic("corokit executor: exception in a task built without exceptions");
  }
  void destroy_exception(const TaskRecord&) noexcept {}
  void rethrow_if_failed(const TaskRecord&) const noexcept {}
#endif
};

template <class P>
concept TaskPromiseType = std::derived_from<P, PromiseBase>;

// The task a coroutine of a Task runs in: its own record if it was spawned, else its awaiter's.
template <TaskPromiseType P>
TaskRecord& task_of(std::coroutine_handle<P> coroutine) noexcept {
  TaskRecord& own = record_of_frame(coroutine.address());
  return own.state != TaskState::Idle ? own : *coroutine.promise().record_;
}

// Records where the awaiting task suspends and returns its record; every awaitable calls this.
template <TaskPromiseType P>
TaskRecord& suspend_point(std::coroutine_handle<P> awaiting) noexcept {
  TaskRecord& record = task_of(awaiting);
  record.resume_point = awaiting.address();
  return record;
}

// Awaiting a Task that was run by a group: fine once it completed, a bug otherwise.
inline bool completed_group_child(const TaskRecord& record) noexcept {
  if (record.state == TaskState::Completed) return true;
  if (record.state == TaskState::Cancelled) panic("corokit executor: awaiting a task that was cancelled");
  panic("corokit executor: awaiting a task that is still running in a group");
}

template <class T>
class TaskPromise final : public PromiseBase {
 public:
  TaskPromise() noexcept {}
  ~TaskPromise() {
    if (has_value_) value_.~T();
    destroy_exception(own());
  }

  Task<T> get_return_object() noexcept;
  FinalAwaiter final_suspend() noexcept { return final_awaiter(own()); }
  void unhandled_exception() noexcept { capture_exception(own()); }

  template <class U = T>
    requires std::constructible_from<T, U&&>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    ::new (static_cast<void*>(&value_)) T(std::forward<U>(value));
    has_value_ = true;
  }

  T& result() & {
    rethrow_if_failed(own());
    return value_;
  }
  T&& result() && {
    rethrow_if_failed(own());
    return static_cast<T&&>(value_);
  }

 private:
  TaskRecord& own() noexcept {
    return record_of_frame(std::coroutine_handle<TaskPromise>::from_promise(*this).address());
  }

  union {
    T value_;
  };
  bool has_value_ = false;
};

template <>
class TaskPromise<void> final : public PromiseBase {
 public:
  TaskPromise() noexcept {}
  ~TaskPromise() { destroy_exception(own()); }

  Task<void> get_return_object() noexcept;
  FinalAwaiter final_suspend() noexcept { return final_awaiter(own()); }
  void unhandled_exception() noexcept { capture_exception(own()); }
  void return_void() const noexcept {}
  void result() { rethrow_if_failed(own()); }

 private:
  TaskRecord& own() noexcept {
    return record_of_frame(std::coroutine_handle<TaskPromise>::from_promise(*this).address());
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
  static_assert(!std::is_reference_v<T>, "Task<T&> is not supported; return a pointer");

 public:
  using promise_type = detail::TaskPromise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) reset();  // inline: a spawned Task is empty, and its destructor is on the spawn path
  }

  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }
  // Ran to its end (its result or exception can be taken with co_await).
  bool done() const noexcept { return handle_ && record().state == TaskState::Completed; }
  // Was run by a group (when_any) and cancelled; it has no result.
  bool cancelled() const noexcept { return handle_ && record().state == TaskState::Cancelled; }

  struct Awaiter {
    Handle child;

    bool await_ready() const noexcept {
      const TaskRecord& record = detail::record_of_frame(child.address());
      if (record.state == TaskState::Idle) return child.done();
      return detail::completed_group_child(record);
    }
    template <detail::TaskPromiseType P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> awaiting) const noexcept {
      promise_type& promise = child.promise();
      promise.continuation_ = awaiting.address();
      promise.record_ = &detail::task_of(awaiting);
      return child;
    }
  };
  struct LvalueAwaiter : Awaiter {
    decltype(auto) await_resume() const { return this->child.promise().result(); }
  };
  struct RvalueAwaiter : Awaiter {
    T await_resume() const { return std::move(this->child.promise()).result(); }
  };

  LvalueAwaiter operator co_await() & noexcept { return LvalueAwaiter{{checked()}}; }
  RvalueAwaiter operator co_await() && noexcept { return RvalueAwaiter{{checked()}}; }

  // Gives up ownership of the frame (used by spawn and groups).
  Handle handle() const noexcept { return handle_; }
  Handle release() noexcept { return std::exchange(handle_, {}); }

 private:
  TaskRecord& record() const noexcept { return detail::record_of_frame(handle_.address()); }
  Handle checked() const noexcept {
    if (!handle_) panic("corokit executor: awaiting an empty Task");
    return handle_;
  }
  void reset() noexcept;

  Handle handle_;
};

template <class T>
Task<T> detail::TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(Task<T>::Handle::from_promise(*this));
}

inline Task<void> detail::TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(Task<void>::Handle::from_promise(*this));
}

}  // namespace corokit::exec

#include "executor/Executor.h"

namespace corokit::exec {

template <class T>
void Task<T>::reset() noexcept {
  if (!handle_) return;
  TaskRecord& r = record();
  r.clear(task_bits::kOwnerHolds);
  if (!r.frame_alive()) {
    detail::release_record_if_unused(r);
  } else if (r.state == TaskState::Idle || r.state == TaskState::Completed) {
    handle_.destroy();
  } else {
    r.executor->destroy_now(r);  // still running in a group that forgot it: tear it down
  }
  handle_ = {};
}

}  // namespace corokit::exec
