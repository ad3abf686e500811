// What a PD's runtime counts about itself (docs/runtime.md, "Counters"): notifications, wake-ups,
// sleeps, protected calls, IRQs, and the payload copies of SDK components. On the host the block
// lives in the PD's control block (sdk/host/Abi.h), which only the PD writes and the monitor reads
// (`corokit run --stats`); elsewhere (tests, benchmarks, the monitor itself) it is a process-local
// block. Freestanding and header-only: executor/, pds/ and sdk/ code count through it alike.
//
// Every counter has a single writer (the PD's one thread), so a bump is a relaxed load and store,
// not a locked read-modify-write: a few cycles on a cache line the PD owns.
#pragma once

#include <atomic>
#include <cstdint>

namespace corokit::counters {

inline constexpr unsigned kChannels = 62;  // channel ids 0..61

struct alignas(64) PdCounters {
  // The scalars first: one cache line for the hot paths.
  std::atomic<uint64_t> futex_wakes;     // FUTEX_WAKE system calls (waking a PD or the monitor)
  std::atomic<uint64_t> futex_waits;     // futex wait system calls (a sleep; one that finds the
                                         // word already changed returns at once and counts too)
  std::atomic<uint64_t> calls_made;      // protected calls this PD made
  std::atomic<uint64_t> calls_served;    // protected calls delivered to this PD
  std::atomic<uint64_t> irqs_delivered;  // IRQ bits delivered (each a notified() call)
  std::atomic<uint64_t> irqs_acked;      // IRQs acknowledged (the start-up ack of each IRQ included)
  std::atomic<uint64_t> copies;          // payload copies by SDK components ...
  std::atomic<uint64_t> copied_bytes;    // ... and their bytes
  // By this PD's channel id: notifications raised (a notify, or a deferred notify as the loop
  // sends it: once per turn), and notified() calls (raises that met a pending bit coalesce).
  std::atomic<uint64_t> notifications[kChannels];
  std::atomic<uint64_t> notified[kChannels];
};

// The block this process counts into; the PD runtime points it at the control block at start-up.
inline PdCounters g_unattached{};
inline PdCounters* g_current = &g_unattached;

inline PdCounters& current() { return *g_current; }
inline void attach(PdCounters* block) { g_current = block != nullptr ? block : &g_unattached; }

inline void add(std::atomic<uint64_t>& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// An SDK component copied `bytes` bytes of payload (a frame, stream data, a block) in one copy.
inline void copied(uint64_t bytes) {
  PdCounters& c = current();
  add(c.copies);
  add(c.copied_bytes, bytes);
}

}  // namespace corokit::counters
