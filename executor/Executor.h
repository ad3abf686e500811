#pragma once

#include <cstddef>
#include <cstdint>

#include "executor/FramePool.h"
#include "executor/TaskRecord.h"

// The single-threaded executor of a PD: a FIFO ready queue of task records. Wake-ups enqueue the
// woken task; run() resumes ready tasks in order until none is ready or the budget is spent. There
// are no atomics and no heap use: task frames come from the FramePool given to the constructor,
// which is installed as the pool every Task frame is allocated from.
//
// Cancellation is deferred: cancel() marks the task and makes it ready; when run() reaches it, the
// task is destroyed at its suspension point (its destructors run, which unlink it from whatever it
// waited on), then its owner or joiner is told. A task that is running when cancelled is destroyed
// at its next suspension point.

namespace corokit::exec {

template <class T>
class Task;
template <class T>
class JoinHandle;
template <class T>
class Outcome;
class StopToken;

class Executor {
 public:
  // Installs `frames` as the frame pool (restored on destruction). `frames` must outlive the executor.
  explicit Executor(FramePool& frames) noexcept;
  // Destroys every unfinished task (running its destructors). JoinHandles, TaskScopes and
  // primitives with waiters must be gone before; the pool must still be alive.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Starts `task`; the handle can await its Outcome or cancel it. Dropping the handle detaches.
  template <class T>
  [[nodiscard]] JoinHandle<T> spawn(Task<T> task) noexcept;
  // Same, and the task is cancelled when `token`'s source requests a stop.
  template <class T>
  [[nodiscard]] JoinHandle<T> spawn(Task<T> task, StopToken token) noexcept;
  // Starts `task` with nobody to join it. An exception escaping it is a panic.
  template <class T>
  void spawn_detached(Task<T> task) noexcept;
  // Host and test convenience: spawns `task` and runs until it finishes or nothing is ready. A task
  // that cannot finish is cancelled, and the Outcome says so.
  template <class T>
  Outcome<T> block_on(Task<T> task);

  // Resumes ready tasks in FIFO order until none is ready or `budget` resumptions were made;
  // returns the number of resumptions. Must not be called from inside a task.
  std::size_t run(std::size_t budget = SIZE_MAX) noexcept;
  bool has_ready() const noexcept { return ready_head_ != nullptr; }
  // Spawned tasks that have not finished (including those of scopes and groups).
  std::size_t live_tasks() const noexcept { return live_; }
  FramePool& frames() noexcept { return frames_; }

  // --- for awaitables, groups and scopes ---

  // Makes a suspended (or running) task ready. Idempotent while it is queued.
  void schedule(TaskRecord& task) noexcept {
    if (task.state == TaskState::Ready || task.state == TaskState::Rescheduled) return;  // queued
    task.state = task.state == TaskState::Running ? TaskState::Rescheduled : TaskState::Ready;
    link_ready(task);
  }
  // A root about to destroy its own frame at its final suspension point (see Task.h).
  void finished_in_place() noexcept {
    --live_;
    finished_in_place_ = true;
  }
  // Starts the frame `root` as a task in the list `owner` (nullptr: the executor's roots), told to
  // `listener` when it finishes, and makes it ready. `owner_holds`: a Task or JoinHandle keeps it.
  void start(std::coroutine_handle<> root, TaskList* owner, CompletionListener* listener,
             bool owner_holds) noexcept;
  // Requests cancellation (deferred; see above).
  void cancel(TaskRecord& task) noexcept;
  // Destroys an unfinished task at once, without telling its listener: for owners going away.
  void destroy_now(TaskRecord& task) noexcept;

 private:
  // The queue links records through next_ready; the tail's link is never read (pop compares with
  // the tail), so linking a Ready task writes the old tail's link and nothing in the task.
  [[gnu::always_inline]] void link_ready(TaskRecord& task) noexcept {
    if (ready_head_ != nullptr) {
      ready_tail_->next_ready = &task;
    } else {
      ready_head_ = &task;
    }
    ready_tail_ = &task;
  }
  [[gnu::always_inline]] TaskRecord* pop_ready() noexcept {
    TaskRecord* task = ready_head_;
    ready_head_ = task == ready_tail_ ? nullptr : task->next_ready;
    return task;  // still Ready: the caller moves it on
  }
  void suspended_first_or_cancelled(TaskRecord& task) noexcept;
  void cancel_now(TaskRecord& task) noexcept;
  void finish(TaskRecord& task) noexcept;
  void forget(TaskRecord& task) noexcept;
  void tear_down(TaskRecord& task) noexcept;

  FramePool& frames_;
  FramePool* previous_pool_;
  TaskRecord* ready_head_ = nullptr;
  TaskRecord* ready_tail_ = nullptr;
  // Tasks spawned by spawn()/spawn_detached() that suspended and have not finished. A task joins
  // the list only when it first suspends: until then it is in the ready queue or running, and a
  // task that completes in its first run never touches the list. ~Executor finds every
  // unfinished task through this list and the ready queue.
  TaskList roots_;
  std::size_t live_ = 0;
  bool running_ = false;
  bool finished_in_place_ = false;  // the task just resumed is gone: do not touch its record
};

inline bool detail::finish_in_place(TaskRecord& record) noexcept {
  // Owned, observed, cancelled or failed, made ready again while it ran, or not a spawned root (a
  // nested frame's own record is Idle): not here.
  if (record.bits != 0 || record.state != TaskState::Running) return false;
  record.executor->finished_in_place();
  return true;
}

}  // namespace corokit::exec

#include "executor/JoinHandle.h"
