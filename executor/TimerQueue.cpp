#include "executor/TimerQueue.h"

#include "executor/Panic.h"

namespace corokit::exec {

TimerNode* TimerQueue::pop_expired(std::uint64_t now) noexcept {
  for (;;) {
    if (TimerNode* node = due().head) {  // everything in `due` precedes everything in the levels
      if (node->deadline > now) return nullptr;
      // The floor stays at the start of the sorted list: moving it into that range could move it
      // past the start of a list filed since, which only a cascade may do.
      unlink(*node);
      --size_;
      earliest_known_ = false;
      return node;
    }
    if (size_ == 0) return nullptr;
    unsigned level = 0, digit = 0;
    lowest(level, digit);
    const std::uint64_t start = list_start(level, digit);
    if (start > now) return nullptr;
    List& list = lists_[level * kSlots + digit];
    floor_ = start;
    if (level == 0) {  // one deadline value: `start`, and it has passed
      TimerNode& node = *list.head;
      unlink(node);
      --size_;
      earliest_known_ = false;
      return &node;
    }
    // The list's whole range has passed: sort it into `due` (if it is short).
    const std::uint64_t last = start + ((std::uint64_t{1} << (kDigitBits * level)) - 1);
    if (last <= now && sort_into_due(list, level, digit)) continue;
    cascade(list, level, digit);
  }
}

// Re-files the nodes of a list whose range has started one or more levels down, in order,
// relative to the new floor. The nodes are cold (each in its own coroutine frame), so the walk is a
// chain of cache misses: a second chain, from the tail backwards, touches the back half while the
// front half is filed, and the back half is then filed from cache.
void TimerQueue::cascade(List& list, unsigned level, unsigned digit) noexcept {
  TimerNode* node = list.head;
  const TimerNode* ahead = list.tail;
  bool met = false;
  list.head = list.tail = nullptr;
  unmark(level, digit);
  while (node != nullptr) {
    TimerNode* next = node->next;
    if (!met) {
      // `ahead` stays beyond `next`, so its links are still the old list's.
      if (ahead == node || ahead == next) {
        met = true;
      } else {
        ahead = ahead->prev;
        asm volatile("" : : "r"(ahead));  // the load is the point: keep it
      }
    }
    file(*node);
    node = next;
  }
}

bool TimerQueue::sort_into_due(List& list, unsigned level, unsigned digit) noexcept {
  // Gathered from both ends at once (two chains of cache misses), the back half in reverse.
  TimerNode* batch[kBatch];
  TimerNode* back[kBatch / 2];
  unsigned count = 0, from_back = 0;
  TimerNode* front = list.head;
  TimerNode* rear = list.tail;
  for (;;) {
    if (count + from_back + 2 > kBatch) return false;
    batch[count++] = front;
    if (front == rear) break;
    back[from_back++] = rear;
    if (front->next == rear) break;
    front = front->next;
    rear = rear->prev;
  }
  while (from_back != 0) batch[count++] = back[--from_back];
  // Insertion sort: stable (equal deadlines keep their FIFO order) and quick for short lists.
  for (unsigned i = 1; i < count; ++i) {
    TimerNode* node = batch[i];
    unsigned j = i;
    while (j > 0 && batch[j - 1]->deadline > node->deadline) {
      batch[j] = batch[j - 1];
      --j;
    }
    batch[j] = node;
  }
  list.head = list.tail = nullptr;
  unmark(level, digit);
  List& sorted = due();
  for (unsigned i = 0; i < count; ++i) {
    batch[i]->list = static_cast<std::uint16_t>(kDue);
    append(sorted, *batch[i]);
  }
  return true;
}

// A deadline earlier than the last of `due`: it belongs among them, after equal deadlines.
void TimerQueue::insert_due(TimerNode& node) noexcept {
  List& list = due();
  TimerNode* after = list.tail;
  while (after != nullptr && after->deadline > node.deadline) after = after->prev;
  node.list = static_cast<std::uint16_t>(kDue);
  node.queued = true;
  node.prev = after;
  node.next = after != nullptr ? after->next : list.head;
  (after != nullptr ? after->next : list.head) = &node;
  (node.next != nullptr ? node.next->prev : list.tail) = &node;
}

void TimerQueue::compute_earliest() noexcept {
  if (size_ == 0) panic("corokit executor: earliest() of an empty timer queue");
  if (due().head != nullptr) {
    earliest_ = due().head->deadline;
    earliest_known_ = true;
    return;
  }
  unsigned level = 0, digit = 0;
  lowest(level, digit);
  std::uint64_t earliest = list_start(level, digit);
  if (level != 0) {
    earliest = UINT64_MAX;
    for (const TimerNode* node = lists_[level * kSlots + digit].head; node != nullptr; node = node->next) {
      if (node->deadline < earliest) earliest = node->deadline;
    }
  }
  earliest_ = earliest;
  earliest_known_ = true;
}

}  // namespace corokit::exec
