#pragma once

#include <cstddef>

#include "executor/Executor.h"

// The machinery shared by TaskScope, when_all and when_any: a set of child tasks started on the
// parent's executor, a count of unfinished children, and one parked parent resumed when the count
// reaches zero. Destroying the group destroys the children that are still running, at once, so no
// child outlives the frame that owns the group.

namespace corokit::exec::detail {

class TaskGroup : CompletionListener {
 public:
  TaskGroup() noexcept { on_finished = &child_finished; }
  ~TaskGroup() { destroy_children(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // `owner_holds`: a Task object keeps the child (when_all, when_any), or nobody does (scopes).
  template <class Handle>
  void start(Executor& executor, Handle child, bool owner_holds) noexcept {
    ++remaining_;
    executor.start(child, &children_, this, owner_holds);
  }

  std::size_t remaining() const noexcept { return remaining_; }
  // When set, the first child to complete cancels the others (when_any).
  void cancel_others_on_first_completion() noexcept { race_ = true; }
  TaskRecord* first_completed() const noexcept { return first_completed_; }

  void cancel_all() noexcept {
    children_.for_each([](TaskRecord& child) { child.executor->cancel(child); });
  }
  void destroy_children() noexcept {
    while (!children_.empty()) {
      TaskRecord& child = children_.front();
      child.executor->destroy_now(child);
    }
    remaining_ = 0;
  }

  // The parent awaiting the group; resumed once no child is left.
  void park(TaskRecord& parent) noexcept {
    if (parent_ != nullptr) panic("corokit executor: a task group can be awaited by one task at a time");
    parent_ = &parent;
  }
  void unpark(TaskRecord& parent) noexcept {
    if (parent_ == &parent) parent_ = nullptr;
  }

 private:
  static void child_finished(CompletionListener& self, TaskRecord& child) noexcept {
    auto& group = static_cast<TaskGroup&>(self);
    --group.remaining_;
    if (group.race_ && group.first_completed_ == nullptr && child.state == TaskState::Completed) {
      group.first_completed_ = &child;
      group.cancel_all();
    }
    if (group.remaining_ == 0 && group.parent_ != nullptr) {
      TaskRecord& parent = *std::exchange(group.parent_, nullptr);
      parent.executor->schedule(parent);
    }
  }

  TaskList children_;
  std::size_t remaining_ = 0;
  TaskRecord* parent_ = nullptr;
  TaskRecord* first_completed_ = nullptr;
  bool race_ = false;
};

}  // namespace corokit::exec::detail
