// Single-producer single-consumer queues in shared memory, as every queue-based device class uses
// them (PROTOCOLS.md §1): free-running indices, capacity held privately, acquire/release on the
// indices, shadow copies of one's own index, validation of the peer's, and snapshots of slots.
//
// The views below wrap the sDDF layouts of Block.h and Net.h without changing them: shared fields
// are accessed through std::atomic_ref. A peer that corrupts an index never makes a view read or
// write outside its slots; the view counts the violation and treats the queue as empty (consumer)
// or full (producer) for that pass (PROTOCOLS.md §1.5).
//
// Freestanding: only <atomic>, <cstdint>, <cstring>-free code, <type_traits>.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace corokit::protocol {

// --- Access to shared fields (PROTOCOLS.md §1.3) --------------------------------------------------

template <typename T>
inline T load_acquire(const T& field) {
  static_assert(std::atomic_ref<T>::is_always_lock_free);
  return std::atomic_ref<T>(const_cast<T&>(field)).load(std::memory_order_acquire);
}
template <typename T>
inline T load_relaxed(const T& field) {
  return std::atomic_ref<T>(const_cast<T&>(field)).load(std::memory_order_relaxed);
}
template <typename T>
inline void store_release(T& field, T value) {
  static_assert(std::atomic_ref<T>::is_always_lock_free);
  std::atomic_ref<T>(field).store(value, std::memory_order_release);
}
template <typename T>
inline void store_relaxed(T& field, T value) {
  std::atomic_ref<T>(field).store(value, std::memory_order_relaxed);
}
inline void fence_seq_cst() { std::atomic_thread_fence(std::memory_order_seq_cst); }

// Copies a slot out of shared memory once, word by word with relaxed atomic loads, so that what is
// validated afterwards is exactly what is used (never re-read after validation).
template <typename Slot>
inline Slot snapshot(const Slot& shared) {
  static_assert(std::is_trivially_copyable_v<Slot>);
  static_assert(sizeof(Slot) % 4 == 0 && alignof(Slot) >= 4);
  union {
    Slot slot;
    uint32_t words[sizeof(Slot) / 4];
  } out;
  const auto* in = reinterpret_cast<const uint32_t*>(&shared);
  for (unsigned i = 0; i < sizeof(Slot) / 4; ++i) out.words[i] = load_relaxed(in[i]);
  return out.slot;
}

// Writes a slot into shared memory before it is published (word by word, relaxed).
template <typename Slot>
inline void write_slot(Slot& shared, const Slot& value) {
  static_assert(sizeof(Slot) % 4 == 0 && alignof(Slot) >= 4);
  auto* out = reinterpret_cast<uint32_t*>(&shared);
  const auto* in = reinterpret_cast<const uint32_t*>(&value);
  for (unsigned i = 0; i < sizeof(Slot) / 4; ++i) store_relaxed(out[i], in[i]);
}

// --- The two ends -----------------------------------------------------------------------------

// Where a queue's parts live: its two indices and its slot array. Capacity (a power of two, at most
// 2^(width-1)) comes from the PD's own configuration, never from shared memory.
template <typename Slot, typename Index>
struct QueueRegion {
  Index* head = nullptr;
  Index* tail = nullptr;
  Slot* slots = nullptr;
  Index capacity = 0;

  bool valid() const {
    return head && tail && slots && capacity != 0 && (capacity & (capacity - 1)) == 0 &&
           capacity <= Index(Index(~Index(0)) / 2 + 1);
  }
};

// The producer's view: fills slots, publishes `tail` once per batch.
template <typename Slot, typename Index>
class QueueProducer {
  static_assert(std::is_unsigned_v<Index>);

 public:
  QueueProducer() = default;
  explicit QueueProducer(QueueRegion<Slot, Index> region) : q_(region) { adopt(); }

  // Takes the current indices as private shadows (PROTOCOLS.md §1.2): never zeroes a queue, so a
  // restarted component rejoins live queues.
  void adopt() {
    tail_ = published_ = load_acquire(*q_.tail);
    head_ = load_acquire(*q_.head);
    if (Index(tail_ - head_) > q_.capacity) head_ = tail_ - q_.capacity;  // a corrupt start: full
  }

  // Free slots, after acquire-loading the consumer's head. A head that moved backwards or past the
  // tail is a violation: the queue counts as full this pass.
  Index space() {
    Index head = load_acquire(*q_.head);
    if (Index(head - head_) > Index(tail_ - head_)) {
      ++violations_;
      return 0;
    }
    head_ = head;
    return Index(q_.capacity - Index(tail_ - head_));
  }

  bool full() { return space() == 0; }

  // Free slots as of the last head seen, without loading the consumer's line (which costs a cache
  // miss whenever the consumer committed since): a lower bound, as the consumer only frees slots.
  Index known_space() const { return Index(q_.capacity - Index(tail_ - head_)); }

  // Writes one slot; publish() makes it visible. False when the queue is full.
  bool push(const Slot& slot) {
    if (Index(tail_ - head_) >= q_.capacity && space() == 0) return false;
    write_slot(q_.slots[tail_ & Index(q_.capacity - 1)], slot);
    ++tail_;
    return true;
  }

  // Release-stores the tail when anything was pushed since the last publish; true if it did.
  bool publish() {
    if (tail_ == published_) return false;
    store_release(*q_.tail, tail_);
    published_ = tail_;
    return true;
  }

  Index pending() const { return Index(tail_ - published_); }
  Index capacity() const { return q_.capacity; }
  uint32_t violations() const { return violations_; }
  const QueueRegion<Slot, Index>& region() const { return q_; }

 private:
  QueueRegion<Slot, Index> q_;
  Index tail_ = 0;       // shadow of our own index
  Index published_ = 0;  // last value stored to shared memory
  Index head_ = 0;       // last valid head seen
  uint32_t violations_ = 0;
};

// The consumer's view: snapshots slots, publishes `head` once per batch.
template <typename Slot, typename Index>
class QueueConsumer {
  static_assert(std::is_unsigned_v<Index>);

 public:
  QueueConsumer() = default;
  explicit QueueConsumer(QueueRegion<Slot, Index> region) : q_(region) { adopt(); }

  void adopt() {
    head_ = published_ = load_acquire(*q_.head);
    tail_ = load_acquire(*q_.tail);
    if (Index(tail_ - head_) > q_.capacity) tail_ = head_;  // a corrupt start: empty
  }

  // Slots ready to take, after acquire-loading the producer's tail. A tail that moved backwards or
  // more than a capacity ahead is a violation: the queue counts as empty this pass.
  Index available() {
    // The slot the producer fills next is on a line of its own: fetching it now overlaps its miss
    // with the tail's, instead of paying the two one after the other when the tail has moved (a
    // depth-1 exchange). A hint only; a line already here costs nothing.
    __builtin_prefetch(&q_.slots[tail_ & Index(q_.capacity - 1)]);
    Index tail = load_acquire(*q_.tail);
    if (Index(tail - tail_) > Index(q_.capacity - Index(tail_ - head_)) ) {
      ++violations_;
      return Index(tail_ - head_);
    }
    tail_ = tail;
    return Index(tail_ - head_);
  }

  bool empty() { return available() == 0; }

  // Copies the next slot out; commit() returns the slots taken to the producer. False when empty.
  bool pop(Slot& out) {
    if (tail_ == head_ && available() == 0) return false;
    out = snapshot(q_.slots[head_ & Index(q_.capacity - 1)]);
    ++head_;
    return true;
  }

  // Release-stores the head when anything was taken since the last commit; true if it did.
  bool commit() {
    if (head_ == published_) return false;
    store_release(*q_.head, head_);
    published_ = head_;
    return true;
  }

  Index capacity() const { return q_.capacity; }
  uint32_t violations() const { return violations_; }
  // The last producer index seen (for the waiter's re-check in §1.4).
  Index seen_tail() const { return tail_; }
  const QueueRegion<Slot, Index>& region() const { return q_; }

 private:
  QueueRegion<Slot, Index> q_;
  Index head_ = 0;
  Index published_ = 0;
  Index tail_ = 0;
  uint32_t violations_ = 0;
};

// --- Notification suppression (PROTOCOLS.md §1.4) ------------------------------------------------
//
// Flag value 0: "the waiter wants a notification"; non-zero: "none needed". Both sides need their
// seq_cst fence: without them the waiter and the notifier can each miss the other's store.

// The waiter, after it has processed everything and before it sleeps. Returns true when work
// arrived meanwhile: the waiter has set the flag back and must make another pass.
template <typename Flag, typename PeerReady>
inline bool waiter_should_continue(Flag& flag, PeerReady&& peer_has_work) {
  store_relaxed(flag, Flag(0));
  fence_seq_cst();
  if (!peer_has_work()) return false;
  store_relaxed(flag, Flag(1));
  return true;
}

// The waiter, when it will look at the queue again on its own (another peer's notification brings
// it back): the notifier need not signal.
template <typename Flag>
inline void waiter_declines(Flag& flag) {
  store_relaxed(flag, Flag(1));
}

// The notifier, after publishing a batch. Returns true when the peer must be notified (at most once
// per turn: the caller adds the channel to the turn's outgoing set).
template <typename Flag>
inline bool notifier_must_signal(Flag& flag) {
  fence_seq_cst();
  if (load_relaxed(flag) != 0) return false;
  store_relaxed(flag, Flag(1));
  return true;
}

}  // namespace corokit::protocol
