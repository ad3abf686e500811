#include "executor/Executor.h"

#include "executor/StopToken.h"
#include "executor/Task.h"

namespace corokit::exec {

using namespace task_bits;

Executor::Executor(FramePool& frames) noexcept : frames_(frames), previous_pool_(FramePool::install(&frames)) {}

Executor::~Executor() {
  if (running_) panic("corokit executor: executor destroyed from inside one of its tasks");
  // Destructors that run here may wake or spawn tasks: loop until both places are empty.
  for (;;) {
    if (!roots_.empty()) {
      destroy_now(roots_.front());
      continue;
    }
    if (ready_head_ == nullptr) break;
    TaskRecord& task = *pop_ready();
    if (task.has(kQueued)) {  // finished while queued: only the record is left
      task.clear(kQueued);
      detail::release_record_if_unused(task);
    } else {
      // Unfinished and unlinked: a root that never suspended. Linked with the roots gone: the
      // child of a group or scope that outlived its parent, which is a bug of its owner.
      if (task.linked()) panic("corokit executor: a task scope or group outlived the executor");
      tear_down(task);
    }
  }
  if (FramePool::installed() == &frames_) FramePool::install(previous_pool_);
}

std::size_t Executor::run(std::size_t budget) noexcept {
  if (running_) panic("corokit executor: run() called from inside a task");
  running_ = true;
  std::size_t resumed = 0;
  while (resumed < budget && ready_head_ != nullptr) {
    TaskRecord& task = *pop_ready();
    if (task.has(kQueued | kCancelRequested)) [[unlikely]] {
      if (task.has(kQueued)) {  // finished while queued (destroyed by its owner): nothing to run
        task.clear(kQueued);
        detail::release_record_if_unused(task);
      } else {
        cancel_now(task);
      }
      continue;
    }
    task.state = TaskState::Running;
    task.resume();
    ++resumed;
    if (finished_in_place_) {  // the detached fast path: the task completed and freed its frame
      finished_in_place_ = false;
      continue;
    }
    if (task.state == TaskState::Running) {  // suspended, and nothing woke it yet
      task.state = TaskState::Waiting;
      if ((task.bits & (kLinked | kCancelRequested)) != kLinked) [[unlikely]] suspended_first_or_cancelled(task);
    } else if (task.state == TaskState::Completed) {
      finish(task);
    } else if (task.state == TaskState::Rescheduled) {  // suspended after waking itself: queued
      task.state = TaskState::Ready;
    }
  }
  running_ = false;
  return resumed;
}

void Executor::suspended_first_or_cancelled(TaskRecord& task) noexcept {
  // A root joins the executor's list when it first suspends (group children are linked from the
  // start): ~Executor finds it there.
  if (!task.linked()) roots_.push_back(task);
  if (task.has(kCancelRequested)) cancel_now(task);
}

void Executor::cancel(TaskRecord& task) noexcept {
  if (task.finished() || task.state == TaskState::Idle || task.has(kCancelRequested)) return;
  task.set(kCancelRequested);
  if (task.state == TaskState::Waiting) schedule(task);
}

void Executor::forget(TaskRecord& task) noexcept {
  --live_;
  if (!task.has(kObserved)) return;
  TaskList::remove(task);
  if (task.stop_callback != nullptr) {
    task.stop_callback->~StopCallback();
    frames_.deallocate(task.stop_callback, sizeof(StopCallback));
    task.stop_callback = nullptr;
  }
}

void Executor::cancel_now(TaskRecord& task) noexcept {
  task.state = TaskState::Cancelled;
  task.set(kPinned);
  detail::destroy_frame(task);  // destructors run here: awaiters unlink, locks are released
  task.clear(kPinned);
  finish(task);
}

void Executor::finish(TaskRecord& task) noexcept {
  forget(task);
  if (CompletionListener* listener = task.listener_if_any()) {
    task.listener = nullptr;
    task.set(kPinned);
    listener->on_finished(*listener, task);
    task.clear(kPinned);
  }
  if (task.frame_alive() && !task.has(kOwnerHolds)) {
    if (task.has(kFailed)) panic("corokit executor: an exception escaped a detached or scoped task");
    detail::destroy_frame(task);  // frees the block
  } else {
    detail::release_record_if_unused(task);
  }
}

void Executor::destroy_now(TaskRecord& task) noexcept {
  if (task.finished() || task.state == TaskState::Idle) return;
  if (task.state == TaskState::Running || task.state == TaskState::Rescheduled) {
    panic("corokit executor: a running task was destroyed by its owner");
  }
  if (task.state == TaskState::Ready) task.set(kQueued);  // released when dequeued
  tear_down(task);
}

void Executor::tear_down(TaskRecord& task) noexcept {
  forget(task);
  if (task.has(kObserved)) task.listener = nullptr;
  task.state = TaskState::Cancelled;
  task.set(kPinned);
  detail::destroy_frame(task);
  task.clear(kPinned);
  detail::release_record_if_unused(task);
}

}  // namespace corokit::exec
