/* The timer device-class protocol (PROTOCOLS.md §2): PPC labels, error codes, limits and the clock
 * page. Freestanding C (C11 or later) and C++; byte layouts for LP64 little-endian targets.
 *
 * Time is a uint64_t count of nanoseconds since the system epoch (time 0 is when the monitor
 * started the system), the same in every PD. Labels 0 and 1 are sDDF's; 2-4 are corokit's. */
#ifndef COROKIT_SDK_PROTOCOL_TIMER_H
#define COROKIT_SDK_PROTOCOL_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "sdk/protocol/Layout.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Request labels. */
enum ck_timer_label {
  CK_TIMER_GET_TIME = 0,     /* count 0 -> label 0, count 1, MR0 = now */
  CK_TIMER_SET_TIMEOUT = 1,  /* count 1, MR0 = relative ns -> label 0, count 0 */
  CK_TIMER_SET_DEADLINE = 2, /* count 1, MR0 = absolute ns -> label 0, count 0 */
  CK_TIMER_CANCEL = 3,       /* count 0 -> label 0, count 0 */
  CK_TIMER_GET_INFO = 4      /* count 0 -> label 0, count 2, MR0 = version, MR1 = resolution (ns) */
};

/* Reply labels. TIMER_ERR answers an unknown label, a too-small count, a deadline past
 * CK_TIMER_MAX_DEADLINE and a client over its request budget; the client's state is unchanged. */
enum ck_timer_reply { CK_TIMER_OK = 0, CK_TIMER_ERR = 1 };

#define CK_TIMER_PROTOCOL_VERSION 1u

/* The latest deadline a driver accepts (2^63 - 1 ns, about 292 years after the epoch): SET_DEADLINE
 * beyond it is an error, SET_TIMEOUT saturates to it. Clients keep later deadlines to themselves. */
#define CK_TIMER_MAX_DEADLINE UINT64_C(0x7fffffffffffffff)

/* The clock page (PROTOCOLS.md §2.4): mapped read-only into every client, filled by the monitor on
 * the host before any PD starts. A memory region is a clock page when a PD maps it with
 * setvar_vaddr="clock_page" (docs/timer.md). */
#define CK_CLOCK_PAGE_MAGIC UINT32_C(0x50434b43) /* bytes 'C','K','C','P' */
#define CK_CLOCK_PAGE_VERSION 1u
#define CK_CLOCK_PAGE_PUBLISHED 2u /* seq of a published page; 0 unpublished, odd while updated */
#define CK_CLOCK_PAGE_SETVAR "clock_page"

enum {
  CK_CLOCK_SOURCE_MONOTONIC = 0, /* host CLOCK_MONOTONIC in ns: now = reading - epoch */
  CK_CLOCK_SOURCE_COUNTER = 1    /* free-running counter: now = (reading - epoch) * 1e9 / freq_hz */
};

struct ck_clock_page {
  uint32_t magic;
  uint32_t version;
  uint32_t seq;
  uint32_t source;
  uint64_t epoch;
  uint64_t freq_hz;
  uint64_t resolution_ns;
};

COROKIT_STATIC_ASSERT(sizeof(struct ck_clock_page) == 40, "ck_clock_page is 40 bytes");
COROKIT_STATIC_ASSERT(COROKIT_ALIGNOF(struct ck_clock_page) == 8, "ck_clock_page is 8-byte aligned");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, magic) == 0, "magic at +0");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, version) == 4, "version at +4");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, seq) == 8, "seq at +8");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, source) == 12, "source at +12");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, epoch) == 16, "epoch at +16");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, freq_hz) == 24, "freq_hz at +24");
COROKIT_STATIC_ASSERT(offsetof(struct ck_clock_page, resolution_ns) == 32, "resolution_ns at +32");
COROKIT_STATIC_ASSERT(sizeof(enum ck_timer_label) == 4, "4-byte enums (no -fshort-enums)");
/* Shared fields are accessed atomically in place (the layout does not change), which needs
 * lock-free, address-free atomics of the fields' sizes at their natural alignment. */
COROKIT_STATIC_ASSERT(__atomic_always_lock_free(sizeof(uint32_t), 0), "lock-free 32-bit atomics");
COROKIT_STATIC_ASSERT(__atomic_always_lock_free(sizeof(uint64_t), 0), "lock-free 64-bit atomics");

/* Publishes a page, once (the writer side of the seqlock): seq odd, fields, seq = published. The
 * fields never change afterwards; a restarted writer writes the same values again. The monitor uses
 * it on the host, a timer driver on seL4 in init(). GCC/Clang __atomic builtins work on the plain
 * fields from C and C++ alike. */
static inline void ck_clock_page_publish(struct ck_clock_page* page, uint32_t source, uint64_t epoch,
                                         uint64_t freq_hz, uint64_t resolution_ns) {
  __atomic_store_n(&page->seq, 1u, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&page->magic, CK_CLOCK_PAGE_MAGIC, __ATOMIC_RELAXED);
  __atomic_store_n(&page->version, CK_CLOCK_PAGE_VERSION, __ATOMIC_RELAXED);
  __atomic_store_n(&page->source, source, __ATOMIC_RELAXED);
  __atomic_store_n(&page->epoch, epoch, __ATOMIC_RELAXED);
  __atomic_store_n(&page->freq_hz, freq_hz, __ATOMIC_RELAXED);
  __atomic_store_n(&page->resolution_ns, resolution_ns, __ATOMIC_RELAXED);
  __atomic_store_n(&page->seq, CK_CLOCK_PAGE_PUBLISHED, __ATOMIC_RELEASE);
}

/* A consistent copy of a published page (the reader side of the seqlock). Returns 0 and leaves
 * `out` alone while the page is unpublished, being written (after a bounded number of retries: a
 * writer may have died mid-update) or invalid (magic, version, source). */
static inline int ck_clock_page_snapshot(const struct ck_clock_page* page, struct ck_clock_page* out) {
  for (unsigned attempt = 0; attempt < 1024u; ++attempt) {
    uint32_t before = __atomic_load_n(&page->seq, __ATOMIC_ACQUIRE);
    if (before == 0) return 0;
    if (before & 1u) continue;
    struct ck_clock_page copy;
    copy.magic = __atomic_load_n(&page->magic, __ATOMIC_RELAXED);
    copy.version = __atomic_load_n(&page->version, __ATOMIC_RELAXED);
    copy.source = __atomic_load_n(&page->source, __ATOMIC_RELAXED);
    copy.epoch = __atomic_load_n(&page->epoch, __ATOMIC_RELAXED);
    copy.freq_hz = __atomic_load_n(&page->freq_hz, __ATOMIC_RELAXED);
    copy.resolution_ns = __atomic_load_n(&page->resolution_ns, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&page->seq, __ATOMIC_RELAXED) != before) continue;
    if (copy.magic != CK_CLOCK_PAGE_MAGIC || copy.version != CK_CLOCK_PAGE_VERSION) return 0;
    if (copy.source == CK_CLOCK_SOURCE_COUNTER && copy.freq_hz == 0) return 0;
    if (copy.source > CK_CLOCK_SOURCE_COUNTER) return 0;
    copy.seq = before;
    *out = copy;
    return 1;
  }
  return 0;
}

/* Time since the epoch from a raw reading of the page's source (saturating at 0 before the epoch).
 * GET_TIME uses the same formula, so both agree. */
static inline uint64_t ck_clock_page_time(const struct ck_clock_page* snapshot, uint64_t reading) {
  if (reading <= snapshot->epoch) return 0;
  uint64_t elapsed = reading - snapshot->epoch;
  if (snapshot->source == CK_CLOCK_SOURCE_MONOTONIC) return elapsed;
  return (uint64_t)(((unsigned __int128)elapsed * 1000000000u) / snapshot->freq_hz);
}

#ifdef __cplusplus
}
#endif

#endif
