// The raw clock readings behind the clock page (PROTOCOLS.md §2.4), from the platform backend:
// source 0 is the host's CLOCK_MONOTONIC in nanoseconds (served by the vDSO), source 1 a
// free-running counter. Freestanding declaration; sdk/host/PlatformClock.cpp implements it on Linux.
#pragma once

#include <cstdint>

namespace corokit::sdk {

// The current reading of `source` (CK_CLOCK_SOURCE_*).
std::uint64_t platform_clock_reading(std::uint32_t source);

}  // namespace corokit::sdk
