// The notification and protected-call protocols over the shared objects of Abi.h. Used by the PD
// runtime, the monitor (IRQs and child faults are raised the same way) and the benchmarks.
//
// Waking rules (BENCHMARKS.md): a sender issues a system call only when the receiver is asleep and
// nobody woke it since it went to sleep; a receiver spins for a bounded time before sleeping only
// when another CPU can make progress meanwhile.
#pragma once

#include <atomic>
#include <cstdint>

#include "sdk/host/Abi.h"
#include "sdk/host/Syscall.h"

namespace corokit::host {

inline constexpr int kFutexWait = 0, kFutexWake = 1;

inline long futex_wake(std::atomic<uint32_t>* word, int count = 1) {
  return sys::call(sys::kFutex, reinterpret_cast<long>(word), kFutexWake, count);
}
inline long futex_wait(std::atomic<uint32_t>* word, uint32_t expected) {
  return sys::call(sys::kFutex, reinterpret_cast<long>(word), kFutexWait, expected, 0);
}

struct WaitVector {  // struct futex_waitv
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t reserved;
};
inline constexpr uint32_t kFutex2Size32 = 0x02;
inline long futex_waitv(WaitVector* v, unsigned n) { return sys::call(sys::kFutexWaitv, reinterpret_cast<long>(v), n, 0, 0, 0); }

inline void cpu_relax() { __builtin_ia32_pause(); }

// Wakes the receiver of `d` if it sleeps and nobody has woken it yet. Call after publishing work
// (with a sequentially consistent store or RMW).
inline bool kick(Direction& d, const StatusPage& receiver) {
  if (receiver.asleep.load(std::memory_order_seq_cst) == 0) return false;
  if (d.woken.exchange(1, std::memory_order_seq_cst) != 0) return false;
  futex_wake(&d.woken);
  return true;
}

// Raises `bits` for the receiver of `d`, whose status page is `receiver`. Returns true when it had to
// wake the receiver (one FUTEX_WAKE).
inline bool raise(Direction& d, uint64_t bits, const StatusPage& receiver) {
  if ((d.pending.load(std::memory_order_seq_cst) & bits) != bits) d.pending.fetch_or(bits, std::memory_order_seq_cst);
  return kick(d, receiver);
}

// The receiver's side: before sleeping it re-arms every direction it waits on.
inline void rearm(Direction& d) {
  if (d.woken.load(std::memory_order_relaxed) != 0) d.woken.store(0, std::memory_order_relaxed);
}

}  // namespace corokit::host
