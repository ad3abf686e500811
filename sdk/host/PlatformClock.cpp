#include "sdk/PlatformClock.h"

#include <time.h>

#include "sdk/protocol/Timer.h"

namespace corokit::sdk {

std::uint64_t platform_clock_reading(std::uint32_t source) {
  if (source == CK_CLOCK_SOURCE_MONOTONIC) {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }
#if defined(__x86_64__)
  return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
  std::uint64_t ticks;
  asm volatile("mrs %0, cntvct_el0" : "=r"(ticks));
  return ticks;
#else
  return 0;
#endif
}

}  // namespace corokit::sdk
