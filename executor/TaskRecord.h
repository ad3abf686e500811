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
//   [ TaskRecord: cold 32 bytes | hot 32 bytes | coroutine frame ... ]   (one pool block)
//
// The record is one cache line; its hot half (state, bits, block origin, queue link, resume point,
// executor) sits right before the frame. The record of a frame that is spawned (by
// Executor::spawn, a TaskScope, when_all or when_any) is the task's scheduling entity: ready-queue
// link, the coroutine to resume, who owns it and who waits for it. It outlives the frame when the
// task is cancelled while an owner (a JoinHandle or a Task object) still refers to it, so owners
// can always ask how the task ended. The record of a nested frame (awaited, never spawned) stays
// Idle and only says where the block goes back to and whether the coroutine failed.
//
// This relies on the frame address of a coroutine being the address its promise's operator new
// returned, which holds for GCC and Clang (tests/executor checks it).

namespace corokit::exec {

class Executor;
struct TaskRecord;
class StopCallback;

// Link of an intrusive circular list with a sentinel; an unlinked node has null pointers. An
// aggregate without initializers, so that the task record can leave its link unwritten until used:
// write `ListLink link{}` for an unlinked one.
struct ListLink {
  ListLink* prev;
  ListLink* next;

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
  Idle,         // created, not spawned; a nested frame's own record stays Idle for good
  Ready,        // in the ready queue
  Running,      // being resumed
  Rescheduled,  // being resumed, and made ready again meanwhile (in the ready queue)
  Waiting,      // suspended until an awaitable wakes it
  Completed,    // ran to its end; the frame is kept while an owner holds the result
  Cancelled,    // destroyed at a suspension point; the frame is gone
};

// TaskRecord::bits: rare conditions, in one byte so that the hot paths test a single value. A
// detached task that just completed needs nothing but its frame destroyed exactly when `bits == 0`,
// and a dequeued task is resumed exactly when neither kQueued nor kCancelRequested is set.
namespace task_bits {
// Who still needs the record once the frame is gone: the block returns to the pool when none does.
inline constexpr std::uint8_t kOwnerHolds = 1 << 0;  // a Task or JoinHandle refers to this record
inline constexpr std::uint8_t kQueued = 1 << 1;      // finished while in the ready queue
inline constexpr std::uint8_t kPinned = 1 << 2;      // the executor is working on it
inline constexpr std::uint8_t kFrameGone = 1 << 3;   // the coroutine frame has been destroyed
inline constexpr std::uint8_t kCancelRequested = 1 << 4;
inline constexpr std::uint8_t kFailed = 1 << 5;  // the coroutine of this frame ended with an exception
// The cold fields are initialized (observe()): the task is in an owner list, or has had a listener
// or a stop callback. Finishing then goes through Executor::finish. Never cleared.
inline constexpr std::uint8_t kObserved = 1 << 6;
inline constexpr std::uint8_t kLinked = 1 << 7;  // in an owner list (TaskList); implies kObserved
}  // namespace task_bits

struct alignas(16) TaskRecord {
  // Cold: only tasks that suspend, are joined, run in a group or have a stop token use these. They
  // are initialized by observe(), so a task that never needs them never writes them; read them only
  // when kObserved is set (linked(), listener_if_any()).
  ListLink owner_link;  // in the owner's list (executor, scope or group) while unfinished
  CompletionListener* listener;
  StopCallback* stop_callback;
  // Hot: every spawn, resumption and completion touches these; they end where the frame starts.
  TaskState state;
  std::uint8_t bits;
  std::uint8_t pool;        // FramePool::number() of the pool the block came from
  std::uint8_t size_class;  // of the block
  TaskRecord* next_ready;                // valid while Ready (the queue's tail has none)
  void* resume_point;                    // the innermost coroutine of the task's await chain
  Executor* executor;                    // set when the task is started

  // Idle, owned by the Task just created. The four header bytes are written with one store: this
  // runs for every coroutine frame.
  TaskRecord(std::uint8_t pool_number, unsigned block_class) noexcept {
    static_assert(offsetof(TaskRecord, bits) == offsetof(TaskRecord, state) + 1 &&
                  offsetof(TaskRecord, pool) == offsetof(TaskRecord, state) + 2 &&
                  offsetof(TaskRecord, size_class) == offsetof(TaskRecord, state) + 3);
    const std::uint8_t header[4] = {static_cast<std::uint8_t>(TaskState::Idle), task_bits::kOwnerHolds, pool_number,
                                    static_cast<std::uint8_t>(block_class)};
    __builtin_memcpy(reinterpret_cast<unsigned char*>(this) + offsetof(TaskRecord, state), header, sizeof header);
  }

  bool finished() const noexcept { return state == TaskState::Completed || state == TaskState::Cancelled; }
  bool frame_alive() const noexcept { return !has(task_bits::kFrameGone); }
  bool has(std::uint8_t bit) const noexcept { return (bits & bit) != 0; }
  void set(std::uint8_t bit) noexcept { bits = static_cast<std::uint8_t>(bits | bit); }
  void clear(std::uint8_t bit) noexcept { bits = static_cast<std::uint8_t>(bits & ~bit); }
  void* frame() noexcept { return this + 1; }
  // resume_point is an address, not a coroutine_handle: a handle member would be zeroed by every
  // allocation, and it is written when the task starts.
  void resume() const { std::coroutine_handle<>::from_address(resume_point).resume(); }

  void observe() noexcept {
    if (has(task_bits::kObserved)) return;
    owner_link = ListLink{};
    listener = nullptr;
    stop_callback = nullptr;
    set(task_bits::kObserved);
  }
  bool linked() const noexcept { return has(task_bits::kLinked); }
  CompletionListener* listener_if_any() const noexcept { return has(task_bits::kObserved) ? listener : nullptr; }
};

static_assert(sizeof(TaskRecord) == 64, "the record fills one cache line; its hot half is next to the frame");

namespace detail {

inline TaskRecord& record_of_frame(void* frame) noexcept { return *(static_cast<TaskRecord*>(frame) - 1); }

inline void* allocate_frame(std::size_t bytes) noexcept {
  FramePool* pool = FramePool::installed();
  if (pool == nullptr) panic("corokit executor: no frame pool installed (create the Executor before its tasks)");
  const unsigned size_class = FramePool::class_of(bytes + sizeof(TaskRecord));
  void* block = pool->allocate_in_class(size_class);
  return (::new (block) TaskRecord(pool->number(), size_class))->frame();
}

inline void release_record_if_unused(TaskRecord& record) noexcept {
  using namespace task_bits;
  if ((record.bits & (kOwnerHolds | kQueued | kPinned | kFrameGone)) == kFrameGone) {
    FramePool::recycle(record.pool, record.size_class, &record);
  }
}

inline void release_frame(void* frame) noexcept {
  using namespace task_bits;
  TaskRecord& record = record_of_frame(frame);
  if ((record.bits & (kOwnerHolds | kQueued | kPinned)) == 0) {
    FramePool::recycle(record.pool, record.size_class, &record);  // nobody else needs the record
  } else {
    record.set(kFrameGone);
  }
}

// At the final suspension point of a spawned root: true when nothing but the frame is left to
// free, and the task is then accounted as finished (Executor.h defines it).
bool finish_in_place(TaskRecord& record) noexcept;

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
  static void remove(TaskRecord& record) noexcept {
    if (!record.linked()) return;
    record.owner_link.unlink();
    record.clear(task_bits::kLinked);
  }
  TaskRecord& front() noexcept { return of(head_.next); }
  void push_back(TaskRecord& record) noexcept {
    record.observe();
    record.set(task_bits::kLinked);
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
      f(of(link));
      link = next;
    }
  }

 private:
  static TaskRecord& of(ListLink* link) noexcept {
    return *reinterpret_cast<TaskRecord*>(reinterpret_cast<unsigned char*>(link) - offsetof(TaskRecord, owner_link));
  }
  ListLink head_{&head_, &head_};
};

}  // namespace corokit::exec
