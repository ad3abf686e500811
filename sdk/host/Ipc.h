// The notification and protected-call protocols over the shared objects of Abi.h. Used by the PD
// runtime, the monitor (IRQs and child faults are raised the same way) and the benchmarks.
//
// Waking rules (BENCHMARKS.md): a sender issues a system call only when the receiver is asleep and
// nobody woke it since it went to sleep; a receiver spins for a bounded time before sleeping only
// when another CPU can make progress meanwhile.
#pragma once

#include <atomic>
#include <cstdint>
#include <time.h>

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
// The same with an absolute CLOCK_MONOTONIC deadline in ns (0: none).
inline long futex_waitv_until(WaitVector* v, unsigned n, uint64_t deadline_ns) {
  if (deadline_ns == 0) return futex_waitv(v, n);
  timespec ts{static_cast<time_t>(deadline_ns / 1000000000ull), static_cast<long>(deadline_ns % 1000000000ull)};
  return sys::call(sys::kFutexWaitv, reinterpret_cast<long>(v), n, 0, reinterpret_cast<long>(&ts), CLOCK_MONOTONIC);
}

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
// wake the receiver (one FUTEX_WAKE). `last` is the sender's own note of the bits it raised on `d`
// the previous time (only this sender raises bits on `d`): when it raises them again they may well
// still be pending, so the word is read first and the atomic OR skipped if they are (coalescing).
// Other bits are OR-ed at once: reading the word before an OR that is needed anyway costs a second
// transfer of its line whenever the receiver cleared it since (up to 1.8 x the OR alone against a
// receiver that keeps clearing it). Either way is correct; the note only picks the cheaper one.
inline bool raise(Direction& d, uint64_t bits, const StatusPage& receiver, uint64_t& last) {
  if ((bits & ~last) != 0 || (d.pending.load(std::memory_order_seq_cst) & bits) != bits) {
    d.pending.fetch_or(bits, std::memory_order_seq_cst);
  }
  last = bits;
  return kick(d, receiver);
}

// The receiver's side: before sleeping it re-arms every direction it waits on.
inline void rearm(Direction& d) {
  if (d.woken.load(std::memory_order_relaxed) != 0) d.woken.store(0, std::memory_order_relaxed);
}

inline uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// A call's arrival time, comparable between CPUs: the time-stamp counter, which Linux keeps in step
// across CPUs wherever it uses it as the clock source (clock_gettime derives from it). Taken only for
// calls that may queue behind a call of equal priority (ppc_send): on the path of a call it costs
// about a quarter of the cross-core round trip F on the development VM.
inline uint64_t arrival_tick() {
#if defined(__x86_64__)
  return __builtin_ia32_rdtsc();
#else
  return now_ns();
#endif
}

// Spins while `keep()`, for about `spin_ns`. The condition is checked after every pause (a pause
// costs up to ~140 cycles on recent x86, so an answer is seen within one); the clock is read only
// every 16 checks and first after 16, so an answer that comes at once costs no clock read (a
// clock read costs more than a pause). The spin can thus exceed `spin_ns` by 16 pauses.
template <typename Keep>
void spin_while(Keep keep, uint64_t spin_ns) {
  uint64_t deadline = 0;
  for (unsigned i = 1; keep(); ++i) {
    cpu_relax();
    if (i % 16 != 0) continue;
    uint64_t now = now_ns();
    if (deadline == 0) {
      deadline = now + spin_ns;
    } else if (now > deadline) {
      return;
    }
  }
}

inline unsigned message_count(uint64_t info) {
  unsigned n = static_cast<unsigned>(info & 0x7f);
  return n > kMaxMrs ? kMaxMrs : n;
}

inline void copy_words(uint64_t* to, const uint64_t* from, unsigned n) {
  for (unsigned i = 0; i < n; ++i) to[i] = from[i];
}

// ---- protected calls over a PpcSlot ---------------------------------------------------------------

// Caller: publishes the request (label, count and `count` words of `mrs`); returns its sequence
// number. `stamp`: the callee has another caller of this PD's priority, so the call carries its
// arrival tick (FIFO within a priority). Wake the callee afterwards with ppc_kick(); the store of the
// sequence is sequentially consistent, so ppc_kick's read of the callee's *asleep* flag comes after it.
inline uint32_t ppc_send(PpcSlot& s, uint64_t info, const uint64_t* mrs, bool stamp = false) {
  if (stamp) s.call_stamp.store(arrival_tick(), std::memory_order_relaxed);
  copy_words(s.call_mrs, mrs, message_count(info));
  s.call_info = info;
  uint32_t seq = s.call_seq.load(std::memory_order_relaxed) + 1;
  s.call_seq.store(seq, std::memory_order_seq_cst);
  return seq;
}

// Caller: wakes the callee of the call just sent if it sleeps (`d` is the direction towards it).
// Returns whether it was asleep: it is waking up now.
inline bool ppc_kick(Direction& d, const StatusPage& callee) {
  if (callee.asleep.load(std::memory_order_seq_cst) == 0) return false;
  if (d.woken.exchange(1, std::memory_order_seq_cst) == 0) futex_wake(&d.woken);
  return true;
}

// How much longer a caller spins for a callee it had to wake (below).
inline constexpr uint64_t kWakingSpinFactor = 20;

// Caller: spins for up to `spin_ns` while the reply to `seq` is not there and the callee is awake on
// another CPU (it is about to answer). A callee that was asleep (`waking`, from ppc_kick) is given
// up to kWakingSpinFactor x `spin_ns` to wake up and answer: a wake-up across CPUs takes longer than
// the usual spin (about 35 us on the development VM), and a caller that slept meanwhile would have
// to be woken by the reply in turn; each side's spin would then run out while the other wakes up,
// and every later call would pay two wake-ups.
inline void ppc_await_spin(PpcSlot& s, uint32_t seq, const StatusPage& callee, uint64_t spin_ns, unsigned my_cpu,
                           bool waking = false) {
  if (spin_ns == 0) return;
  spin_while(
      [&] {
        if (s.reply_seq.load(std::memory_order_acquire) == seq || callee.cpu.load(std::memory_order_relaxed) == my_cpu) {
          return false;
        }
        if (callee.asleep.load(std::memory_order_relaxed) == 0) {
          waking = false;  // it runs: from now on, spin only while it stays awake
          return true;
        }
        return waking;
      },
      waking ? spin_ns * kWakingSpinFactor : spin_ns);
}

// Caller: waits for the reply to `seq`: spins (above), then sleeps on the reply word.
inline void ppc_await(PpcSlot& s, uint32_t seq, const StatusPage& callee, uint64_t spin_ns, unsigned my_cpu,
                      bool waking = false) {
  ppc_await_spin(s, seq, callee, spin_ns, my_cpu, waking);
  uint32_t seen = s.reply_seq.load(std::memory_order_acquire);
  if (seen == seq) return;
  s.caller_sleeping.store(1, std::memory_order_seq_cst);
  while ((seen = s.reply_seq.load(std::memory_order_seq_cst)) != seq) futex_wait(&s.reply_seq, seen);
  s.caller_sleeping.store(0, std::memory_order_relaxed);
}

// Caller: the reply's msginfo; its words are copied to `mrs`.
inline uint64_t ppc_receive(const PpcSlot& s, uint64_t* mrs) {
  uint64_t info = s.reply_info;
  copy_words(mrs, s.reply_mrs, message_count(info));
  return info;
}

// Callee: is a call waiting that nobody serves yet?
inline bool ppc_pending(const PpcSlot& s) {
  return s.call_seq.load(std::memory_order_relaxed) != s.taken_seq.load(std::memory_order_relaxed);
}

// Callee: takes the waiting call: its words into `mrs`; returns its msginfo and sequence number.
// A caller rewriting the request meanwhile is detected and the copy retried.
inline uint64_t ppc_take(PpcSlot& s, uint64_t* mrs, uint32_t* seq) {
  uint32_t c;
  uint64_t info;
  do {
    c = s.call_seq.load(std::memory_order_acquire);
    info = s.call_info;
    copy_words(mrs, s.call_mrs, message_count(info));
  } while (s.call_seq.load(std::memory_order_acquire) != c);
  s.taken_seq.store(c, std::memory_order_release);
  *seq = c;
  return info;
}

// Callee: answers call `seq` and wakes the caller if it sleeps. The reply is a plain (release)
// store followed by a full fence before the caller's *sleeping* flag is read (the Dekker pairing with
// ppc_await): an exchange on the reply word, which the caller polls, made the cross-core round trip
// about 0.3 x F slower on the development VM than a store and a fence.
inline void ppc_reply(PpcSlot& s, uint32_t seq, uint64_t info, const uint64_t* mrs) {
  copy_words(s.reply_mrs, mrs, message_count(info));
  s.reply_info = info;
  s.reply_seq.store(seq, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (s.caller_sleeping.load(std::memory_order_relaxed) != 0) futex_wake(&s.reply_seq);
}

// Receiver: waits until `ready()`; spins first for up to `spin_ns`, then re-arms every direction it
// waits on, says it is asleep, and sleeps on all their wake words at once. Returns whether it went
// to sleep (it may then run on another CPU).
template <typename Ready>
bool wait_until(Ready ready, StatusPage& self, Direction* const* in, WaitVector* waitv, unsigned n, uint64_t spin_ns) {
  if (spin_ns != 0) spin_while([&] { return !ready(); }, spin_ns);
  bool slept = false;
  while (!ready()) {
    for (unsigned i = 0; i < n; ++i) rearm(*in[i]);
    self.asleep.store(1, std::memory_order_seq_cst);
    if (!ready()) futex_waitv(waitv, n);
    self.asleep.store(0, std::memory_order_relaxed);
    slept = true;
  }
  return slept;
}

}  // namespace corokit::host
