#pragma once

#include <utility>

#include "executor/Executor.h"
#include "executor/Outcome.h"
#include "executor/StopToken.h"
#include "executor/Task.h"

// JoinHandle<T>: the owner's view of a spawned task. `co_await handle` waits for the task and
// yields its Outcome<T> (an exception thrown by the task is rethrown here); cancel() destroys the
// task at its suspension point. Dropping the handle detaches the task, which keeps running.
// Handles must not outlive their executor.

namespace corokit::exec {

template <class T>
class [[nodiscard]] JoinHandle {
 public:
  JoinHandle() noexcept = default;
  JoinHandle(JoinHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      detach();
      task_ = std::exchange(other.task_, nullptr);
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;
  ~JoinHandle() { detach(); }

  explicit operator bool() const noexcept { return task_ != nullptr; }
  bool done() const noexcept { return task_ != nullptr && task_->finished(); }
  bool cancelled() const noexcept { return task_ != nullptr && task_->state == TaskState::Cancelled; }

  // Deferred: the executor destroys the task at its suspension point when it next runs.
  void cancel() noexcept {
    if (task_ != nullptr) task_->executor->cancel(*task_);
  }

  // Lets the task run on without an owner (its frame is freed when it finishes).
  void detach() noexcept {
    TaskRecord* task = std::exchange(task_, nullptr);
    if (task == nullptr) return;
    task->clear(task_bits::kOwnerHolds);
    if (task->state == TaskState::Completed && task->frame_alive()) {
      detail::destroy_frame(*task);
    } else {
      detail::release_record_if_unused(*task);
    }
  }

  // The outcome of a finished task (for code outside tasks, e.g. a PPC handler). Takes the value.
  Outcome<T> outcome() {
    if (!done()) panic("corokit executor: outcome() of a task that has not finished");
    return take(*task_);
  }

  class Awaiter : CompletionListener {
   public:
    explicit Awaiter(TaskRecord* task) noexcept : task_(task) { on_finished = &wake; }
    Awaiter(const Awaiter&) = delete;
    ~Awaiter() {
      if (task_->listener_if_any() == this) task_->listener = nullptr;  // the joiner was cancelled
    }

    bool await_ready() const noexcept { return task_->finished(); }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      if (task_->listener_if_any() != nullptr) panic("corokit executor: a task can be joined by one awaiter at a time");
      waiter_ = &detail::suspend_point(awaiting);
      task_->observe();
      task_->listener = this;
    }
    Outcome<T> await_resume() { return take(*task_); }

   private:
    static void wake(CompletionListener& self, TaskRecord&) noexcept {
      TaskRecord& waiter = *static_cast<Awaiter&>(self).waiter_;
      waiter.executor->schedule(waiter);
    }
    TaskRecord* task_;
    TaskRecord* waiter_ = nullptr;
  };

  Awaiter operator co_await() const noexcept {
    if (task_ == nullptr) panic("corokit executor: awaiting an empty JoinHandle");
    return Awaiter(task_);
  }

 private:
  friend class Executor;
  explicit JoinHandle(TaskRecord* task) noexcept : task_(task) {}

  static Outcome<T> take(TaskRecord& task) {
    if (task.state == TaskState::Cancelled) return Outcome<T>::cancelled();
    auto handle = Task<T>::Handle::from_address(task.frame());
    if constexpr (std::is_void_v<T>) {
      handle.promise().result();
      return Outcome<T>::completed();
    } else {
      return Outcome<T>(std::move(handle.promise()).result());
    }
  }

  TaskRecord* task_ = nullptr;
};

inline void Executor::start(std::coroutine_handle<> root, TaskList* owner, CompletionListener* listener,
                            bool owner_holds) noexcept {
  TaskRecord& task = detail::record_of_frame(root.address());
  if (task.state != TaskState::Idle || root.done()) panic("corokit executor: a task can be started only once");
  // A task that never ran has no other bit: write both bytes at once.
  task.state = TaskState::Ready;
  task.bits = owner_holds ? task_bits::kOwnerHolds : 0;
  task.executor = this;
  task.resume_point = root.address();
  if (owner != nullptr) owner->push_back(task);  // roots join roots_ when they first suspend
  if (listener != nullptr) {
    task.observe();
    task.listener = listener;
  }
  ++live_;
  link_ready(task);
}

template <class T>
JoinHandle<T> Executor::spawn(Task<T> task) noexcept {
  auto handle = task.release();
  if (!handle) panic("corokit executor: spawning an empty Task");
  start(handle, nullptr, nullptr, true);
  return JoinHandle<T>(&detail::record_of_frame(handle.address()));
}

template <class T>
JoinHandle<T> Executor::spawn(Task<T> task, StopToken token) noexcept {
  JoinHandle<T> joined = spawn(std::move(task));
  if (token.stop_possible()) {
    TaskRecord& record = *joined.task_;
    record.observe();
    void* memory = frames_.allocate(sizeof(StopCallback));
    record.stop_callback = ::new (memory) StopCallback(
        token, [](void* context) noexcept {
          auto& r = *static_cast<TaskRecord*>(context);
          r.executor->cancel(r);
        },
        &record);
  }
  return joined;
}

template <class T>
void Executor::spawn_detached(Task<T> task) noexcept {
  auto handle = task.release();
  if (!handle) panic("corokit executor: spawning an empty Task");
  start(handle, nullptr, nullptr, false);
}

template <class T>
Outcome<T> Executor::block_on(Task<T> task) {
  JoinHandle<T> joined = spawn(std::move(task));
  run();
  if (!joined.done()) {
    joined.cancel();
    run();
  }
  return joined.outcome();
}

}  // namespace corokit::exec
