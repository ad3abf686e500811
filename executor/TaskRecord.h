#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <new>

#include "executor/FramePool.h"
#include "executor/Panic.h"

// The bookkeeping of a spawned task. Every coroutine frame of a Task is allocated from the installed
// FramePool with a TaskRecord placed just in front of it:
//
//   [ TaskRecord | coroutine frame ... ]      (one pool block; the frame address is the block + 80)
//
// The record of a frame that is spawned (by Executor::spawn, a TaskScope, when_all or when_any) is
// the task's scheduling entity: ready-queue link, the coroutine to resume, who owns it and who
// waits for it. It outlives the frame when the task is cancelled while an owner (a JoinHandle or a
// Task object) still refers to it, so owners can always ask how the task ended. Frames of nested
// tasks (awaited, never spawned) carry an unused record.
//
// This relies on the frame address of a coroutine being the address its promise's operator new
// returned, which holds for GCC and Clang (tests/executor checks it).

namespace corokit::exec {

class Executor;
struct TaskRecord;
class StopCallback;

// Link of an intrusive circular list with a sentinel; an unlinked node has null pointers.
struct ListLink {
  ListLink* prev = nullptr;
  ListLink* next = nullptr;

  bool linked() const noexcept { return prev != nullptr; }
  void unlink() noexcept {
    if (prev == nullptr) return;
    prev->next = next;
    next->prev = prev;
    prev = next = nullptr;
  }
};

// Told when a spawned task has finished (completed or cancelled). A function pointer rather than a
// virtual function keeps the record small and the core free of C++ runtime support.
struct CompletionListener {
  void (*on_finished)(CompletionListener& self, TaskRecord& task) noexcept = nullptr;
};

enum class TaskState : std::uint8_t {
  Idle,       // created, not spawned (or a nested frame)
  Ready,      // in the ready queue
  Running,    // being resumed
  Waiting,    // suspended until an awaitable wakes it
  Completed,  // ran to its end; the frame is kept while an owner holds the result
  Cancelled,  // destroyed at a suspension point; the frame is gone
};

struct alignas(16) TaskRecord {
  ListLink owner_link;  // first member: in the owner's list (executor, scope or group) while unfinished
  TaskRecord* next_ready = nullptr;
  std::coroutine_handle<> resume_point;  // the innermost coroutine of the task's await chain
  Executor* executor = nullptr;
  CompletionListener* listener = nullptr;
  StopCallback* stop_callback = nullptr;
  FramePool* pool = nullptr;
  std::uint32_t size_class = 0;  // of the pool block
  TaskState state = TaskState::Idle;
  bool cancel_requested = false;
  bool failed = false;  // the root coroutine ended with an exception
  // The block is returned to the pool once none of these holds it.
  bool frame_alive = true;
  bool owner_holds = true;  // a Task, JoinHandle or group refers to this record
  bool queued = false;      // in the ready queue
  bool pinned = false;      // the executor is working on it

  bool finished() const noexcept { return state == TaskState::Completed || state == TaskState::Cancelled; }
  void* frame() noexcept { return this + 1; }
};

namespace detail {

inline TaskRecord& record_of_frame(void* frame) noexcept { return *(static_cast<TaskRecord*>(frame) - 1); }

inline void* allocate_frame(std::size_t bytes) noexcept {
  FramePool* pool = FramePool::installed();
  if (pool == nullptr) panic("corokit executor: no frame pool installed (create the Executor before its tasks)");
  const unsigned size_class = FramePool::class_of(bytes + sizeof(TaskRecord));
  auto* record = ::new (pool->allocate_in_class(size_class)) TaskRecord{};
  record->pool = pool;
  record->size_class = size_class;
  return record->frame();
}

inline void release_record_if_unused(TaskRecord& record) noexcept {
  if (!record.frame_alive && !record.owner_holds && !record.queued && !record.pinned) {
    record.pool->deallocate_in_class(&record, record.size_class);
  }
}

inline void release_frame(void* frame) noexcept {
  TaskRecord& record = record_of_frame(frame);
  record.frame_alive = false;
  release_record_if_unused(record);
}

inline void destroy_frame(TaskRecord& record) noexcept {
  std::coroutine_handle<>::from_address(record.frame()).destroy();
}

}  // namespace detail

// Sentinel-based list of records, linked through TaskRecord::owner_link. Not copyable or movable:
// the records point at the sentinel.
class TaskList {
 public:
  TaskList() noexcept = default;
  TaskList(const TaskList&) = delete;
  TaskList& operator=(const TaskList&) = delete;

  bool empty() const noexcept { return head_.next == &head_; }
  TaskRecord& front() noexcept { return *reinterpret_cast<TaskRecord*>(head_.next); }
  void push_back(TaskRecord& record) noexcept {
    ListLink& link = record.owner_link;
    link.prev = head_.prev;
    link.next = &head_;
    head_.prev->next = &link;
    head_.prev = &link;
  }
  template <class F>
  void for_each(F&& f) noexcept {
    for (ListLink* link = head_.next; link != &head_;) {
      ListLink* next = link->next;
      f(*reinterpret_cast<TaskRecord*>(link));
      link = next;
    }
  }

 private:
  ListLink head_{&head_, &head_};
};

}  // namespace corokit::exec
