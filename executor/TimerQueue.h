#pragma once

#include <cstddef>
#include <cstdint>

// The timer queue of a PD: an exact, allocation-free hierarchical radix queue of intrusive nodes.
//
// Every node lives in the frame of the coroutine that awaits it (a sleep, a timeout, an interval
// tick), so the queue never allocates and a cancelled task simply unlinks its node. Keys are
// deadlines in nanoseconds. The queue keeps a position `floor()` that never exceeds any queued
// deadline; a deadline is filed by the highest 8-bit digit in which it differs from the floor:
//
//   level L (0..7) holds the deadlines that agree with the floor above digit L, in 256 FIFO lists
//   indexed by their digit L, with one occupancy bit per list.
//
// (Level 1 lists span 256 ns, level 2 65 us, level 3 16.8 ms, level 4 4.3 s, ...) The earliest
// deadline sits in the lowest occupied list of the lowest occupied level. Expiring moves the floor
// forward. A level-0 list holds exactly one deadline value and is popped from its head. A higher
// list whose whole range has passed, if it is short (up to kBatch nodes), is sorted by deadline
// into the `due` list and popped from there; a list whose range has only started is re-filed one
// or more levels down (a "cascade"). A node is moved at most 7 times over its life, two or three
// times for deadlines up to seconds away; insert and remove are O(1).
//
// The nodes are cold when a cascade walks them (each is in its own coroutine frame): the walk
// follows two chains at once, from both ends, and the owner prefetches what an expiry touches.
//
// Order: nodes expire in deadline order, and nodes with equal deadlines in insertion order (lists
// are FIFO, a list is only ever refilled by a cascade while it is empty so every list stays in
// insertion order, and the sort into `due` is stable).

namespace corokit::exec {

struct TimerNode {
  std::uint64_t deadline = 0;
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
  // Called by the owner of the queue when the node expires (it is already unlinked).
  void (*expire)(TimerNode& self) noexcept = nullptr;
  // What `expire` touches first (the awaiting task's record), prefetched when timers expire in a batch.
  const void* touches = nullptr;
  std::uint16_t list = 0;  // level * 256 + digit, or kDue, while queued
  bool queued = false;
};

class TimerQueue {
 public:
  static constexpr unsigned kDigitBits = 8;
  static constexpr unsigned kSlots = 1u << kDigitBits;
  static constexpr unsigned kLevels = (64 + kDigitBits - 1) / kDigitBits;  // 8
  static constexpr unsigned kWords = kSlots / 64;                          // occupancy words per level
  static constexpr unsigned kBatch = 64;  // longest list sorted at once instead of cascaded

  TimerQueue() noexcept = default;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  // No queued deadline is below this; it only moves forward, and only in pop_expired().
  std::uint64_t floor() const noexcept { return floor_; }

  // Queues `node` with its deadline. A deadline below floor() is raised to floor() (it has already
  // passed: it expires with the next pop_expired()).
  void insert(TimerNode& node) noexcept {
    if (node.deadline < floor_) node.deadline = floor_;
    if (due().tail != nullptr && node.deadline < due().tail->deadline) {
      insert_due(node);
    } else {
      file(node);
    }
    if (++size_ == 1 || (earliest_known_ && node.deadline < earliest_)) {
      earliest_ = node.deadline;
      earliest_known_ = true;
    }
  }

  void remove(TimerNode& node) noexcept {
    if (!node.queued) return;
    unlink(node);
    --size_;
    if (earliest_known_ && node.deadline == earliest_) earliest_known_ = false;
  }

  // Removes and returns the earliest node whose deadline is <= now, or nullptr when there is none.
  // Nodes come out in deadline order, equal deadlines in insertion order.
  TimerNode* pop_expired(std::uint64_t now) noexcept;

  // The earliest queued deadline (the queue must not be empty). Exact; computed lazily after the
  // earliest node left, by a scan of the one list that holds it.
  std::uint64_t earliest() noexcept {
    if (!earliest_known_) compute_earliest();
    return earliest_;
  }

 private:
  struct List {
    TimerNode* head = nullptr;
    TimerNode* tail = nullptr;
  };
  static constexpr unsigned kDue = kLevels * kSlots;

  static unsigned level_of(std::uint64_t deadline, std::uint64_t floor) noexcept {
    const std::uint64_t differ = deadline ^ floor;
    return differ == 0 ? 0 : static_cast<unsigned>(63 - __builtin_clzll(differ)) / kDigitBits;
  }
  // The first deadline of list `digit` of `level` under the current floor.
  std::uint64_t list_start(unsigned level, unsigned digit) const noexcept {
    const unsigned above = kDigitBits * (level + 1);
    const std::uint64_t prefix = above >= 64 ? 0 : floor_ & ~((std::uint64_t{1} << above) - 1);
    return prefix | (std::uint64_t{digit} << (kDigitBits * level));
  }
  // The lowest occupied list of the lowest occupied level (the levels must not be empty).
  void lowest(unsigned& level, unsigned& digit) const noexcept {
    for (level = 0; level < kLevels; ++level) {
      for (unsigned w = 0; w < kWords; ++w) {
        if (occupied_[level][w] != 0) {
          digit = w * 64 + static_cast<unsigned>(__builtin_ctzll(occupied_[level][w]));
          return;
        }
      }
    }
  }
  void mark(unsigned level, unsigned digit) noexcept { occupied_[level][digit / 64] |= std::uint64_t{1} << (digit % 64); }
  void unmark(unsigned level, unsigned digit) noexcept { occupied_[level][digit / 64] &= ~(std::uint64_t{1} << (digit % 64)); }
  List& due() noexcept { return lists_[kDue]; }

  static void append(List& list, TimerNode& node) noexcept {
    node.next = nullptr;
    node.prev = list.tail;
    (list.tail != nullptr ? list.tail->next : list.head) = &node;
    list.tail = &node;
  }

  void file(TimerNode& node) noexcept {
    const unsigned level = level_of(node.deadline, floor_);
    const unsigned digit = static_cast<unsigned>(node.deadline >> (kDigitBits * level)) & (kSlots - 1);
    const unsigned index = level * kSlots + digit;
    List& list = lists_[index];
    if (list.head == nullptr) mark(level, digit);
    node.list = static_cast<std::uint16_t>(index);
    node.queued = true;
    append(list, node);
  }

  void unlink(TimerNode& node) noexcept {
    List& list = lists_[node.list];
    (node.prev != nullptr ? node.prev->next : list.head) = node.next;
    (node.next != nullptr ? node.next->prev : list.tail) = node.prev;
    if (list.head == nullptr && node.list != kDue) unmark(node.list / kSlots, node.list % kSlots);
    node.prev = node.next = nullptr;
    node.queued = false;
  }

  void cascade(List& list, unsigned level, unsigned digit) noexcept;
  void insert_due(TimerNode& node) noexcept;
  bool sort_into_due(List& list, unsigned level, unsigned digit) noexcept;
  void compute_earliest() noexcept;

  List lists_[kLevels * kSlots + 1];  // the levels, then `due`
  std::uint64_t occupied_[kLevels][kWords] = {};
  std::uint64_t floor_ = 0;
  std::size_t size_ = 0;
  std::uint64_t earliest_ = 0;
  bool earliest_known_ = false;
};

}  // namespace corokit::exec
