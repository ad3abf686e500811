// Raw Linux system calls (x86-64), usable before libc is initialised (the PD's startup code) and
// without errno. Return the kernel's value: negative errno on failure.
#pragma once

#include <cstdint>

#include "sdk/PdCounters.h"

namespace corokit::host::sys {

inline constexpr long kRead = 0, kWrite = 1, kClose = 3, kMmap = 9, kMprotect = 10, kMunmap = 11,
                      kGetpid = 39, kExit = 60, kPrctl = 157, kGettid = 186, kFutex = 202,
                      kExitGroup = 231, kTgkill = 234, kSeccomp = 317, kCloseRange = 436,
                      kFutexWaitv = 449;

// Every futex system call of a PD passes through here, so its wake-up and sleep counters are exact
// whichever protocol issues them (sdk/PdCounters.h). With a constant `n` the test folds away.
inline void count_futex(long n, long op) {
  if (n == kFutexWaitv) {
    counters::add(counters::current().futex_waits);
  } else if (n == kFutex) {
    long cmd = op & 0x7f;  // without FUTEX_PRIVATE_FLAG / FUTEX_CLOCK_REALTIME
    if (cmd == 1 || cmd == 10) counters::add(counters::current().futex_wakes);       // WAKE, WAKE_BITSET
    else if (cmd == 0 || cmd == 9) counters::add(counters::current().futex_waits);  // WAIT, WAIT_BITSET
  }
}

inline long call(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
  count_futex(n, b);
  long ret;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  register long r9 asm("r9") = f;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}

inline long write(int fd, const void* buf, unsigned long n) {
  return call(kWrite, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
inline void* mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off) {
  return reinterpret_cast<void*>(call(kMmap, static_cast<long>(addr), static_cast<long>(len), prot, flags, fd,
                                      static_cast<long>(off)));
}
inline bool mmap_failed(void* p) { return reinterpret_cast<unsigned long>(p) > static_cast<unsigned long>(-4096); }
[[noreturn]] inline void exit_group(int code) {
  for (;;) call(kExitGroup, code);
}

}  // namespace corokit::host::sys
