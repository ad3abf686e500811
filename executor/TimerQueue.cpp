#include "executor/TimerQueue.h"

#include "executor/Panic.h"

namespace corokit::exec {

TimerNode* TimerQueue::pop_expired(std::uint64_t now) noexcept {
  while (size_ != 0) {
    const unsigned level = lowest_level();
    const auto digit = static_cast<unsigned>(__builtin_ctzll(occupied_[level]));
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
    // The list's range has started: re-file its nodes below, in order, relative to the new floor.
    TimerNode* node = list.head;
    list.head = list.tail = nullptr;
    occupied_[level] &= ~(std::uint64_t{1} << digit);
    while (node != nullptr) {
      TimerNode* next = node->next;
      file(*node);
      node = next;
    }
  }
  return nullptr;
}

void TimerQueue::compute_earliest() noexcept {
  if (size_ == 0) panic("corokit executor: earliest() of an empty timer queue");
  const unsigned level = lowest_level();
  const auto digit = static_cast<unsigned>(__builtin_ctzll(occupied_[level]));
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
