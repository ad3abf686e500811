#include "executor/Executor.h"

#include "executor/StopToken.h"
#include "executor/Task.h"

namespace corokit::exec {

Executor::Executor(FramePool& frames) noexcept : frames_(frames), previous_pool_(FramePool::install(&frames)) {}

Executor::~Executor() {
  if (running_) panic("corokit executor: executor destroyed from inside one of its tasks");
  while (!roots_.empty()) destroy_now(roots_.front());
  // What is left in the queue are records of destroyed frames (and tasks of groups or scopes that
  // outlived their parent, which is a bug of their owner).
  while (ready_head_ != nullptr) {
    TaskRecord* task = pop_ready();
    if (task->frame_alive) panic("corokit executor: a task scope or group outlived the executor");
    detail::release_record_if_unused(*task);
  }
  if (FramePool::installed() == &frames_) FramePool::install(previous_pool_);
}

std::size_t Executor::run(std::size_t budget) noexcept {
  if (running_) panic("corokit executor: run() called from inside a task");
  running_ = true;
  std::size_t resumed = 0;
  while (resumed < budget && ready_head_ != nullptr) {
    TaskRecord& task = *pop_ready();
    if (!task.frame_alive) {  // destroyed by its owner while queued
      detail::release_record_if_unused(task);
      continue;
    }
    if (task.cancel_requested) {
      cancel_now(task);
      continue;
    }
    task.state = TaskState::Running;
    current_ = &task;
    task.resume_point.resume();
    current_ = nullptr;
    ++resumed;
    if (task.state == TaskState::Running) {
      task.state = TaskState::Waiting;
      if (task.cancel_requested) cancel_now(task);
    } else if (task.state == TaskState::Completed) {
      if (task.listener == nullptr && task.stop_callback == nullptr && !task.owner_holds && !task.failed) {
        task.owner_link.unlink();  // the common detached case: nobody to tell, nothing to keep
        --live_;
        detail::destroy_frame(task);
      } else {
        finish(task);
      }
    }
  }
  running_ = false;
  return resumed;
}

void Executor::cancel(TaskRecord& task) noexcept {
  if (task.finished() || task.state == TaskState::Idle || task.cancel_requested) return;
  task.cancel_requested = true;
  if (task.state == TaskState::Waiting) schedule(task);
}

void Executor::forget(TaskRecord& task) noexcept {
  task.owner_link.unlink();
  if (task.stop_callback != nullptr) {
    task.stop_callback->~StopCallback();
    frames_.deallocate(task.stop_callback, sizeof(StopCallback));
    task.stop_callback = nullptr;
  }
  --live_;
}

void Executor::cancel_now(TaskRecord& task) noexcept {
  task.state = TaskState::Cancelled;
  task.pinned = true;
  detail::destroy_frame(task);  // destructors run here: awaiters unlink, locks are released
  task.pinned = false;
  finish(task);
}

void Executor::finish(TaskRecord& task) noexcept {
  forget(task);
  if (CompletionListener* listener = task.listener) {
    task.listener = nullptr;
    task.pinned = true;
    listener->on_finished(*listener, task);
    task.pinned = false;
  }
  if (task.frame_alive && !task.owner_holds) {
    if (task.failed) panic("corokit executor: an exception escaped a detached or scoped task");
    detail::destroy_frame(task);  // frees the block
  } else {
    detail::release_record_if_unused(task);
  }
}

void Executor::destroy_now(TaskRecord& task) noexcept {
  if (task.finished() || task.state == TaskState::Idle) return;
  if (&task == current_) panic("corokit executor: a running task was destroyed by its owner");
  forget(task);
  task.listener = nullptr;
  task.state = TaskState::Cancelled;
  task.pinned = true;
  detail::destroy_frame(task);
  task.pinned = false;
  detail::release_record_if_unused(task);  // a queued record is released when dequeued
}

}  // namespace corokit::exec
