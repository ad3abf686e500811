// lwIP's platform hooks (NO_SYS): the clock, randomness and assertions.
#include <cstdint>

#include "executor/Panic.h"
#include "executor/net/NetClock.h"
#include "lwip/arch.h"

namespace corokit::net {
namespace {
NetClock* g_clock = nullptr;
std::uint32_t lwip_clock_ms() noexcept { return g_clock != nullptr ? static_cast<std::uint32_t>(g_clock->now_ns() / 1000000u) : 0; }
}  // namespace
void set_lwip_clock(NetClock* clock) noexcept { g_clock = clock; }
}  // namespace corokit::net

namespace {
// xorshift64*, seeded from the clock on first use: lwIP needs unpredictability only for initial
// sequence numbers, ports and DHCP transaction ids, not for cryptography.
std::uint64_t g_rand_state = 0;
}  // namespace

extern "C" u32_t sys_now(void) { return corokit::net::lwip_clock_ms(); }

extern "C" uint32_t corokit_lwip_rand(void) {
  if (g_rand_state == 0) {
    g_rand_state = 0x9e3779b97f4a7c15ull ^ (static_cast<std::uint64_t>(corokit::net::lwip_clock_ms()) << 20) ^
                   reinterpret_cast<std::uintptr_t>(&g_rand_state);
  }
  g_rand_state ^= g_rand_state >> 12;
  g_rand_state ^= g_rand_state << 25;
  g_rand_state ^= g_rand_state >> 27;
  return static_cast<uint32_t>((g_rand_state * 0x2545f4914f6cdd1dull) >> 32);
}

extern "C" void corokit_lwip_assert(const char* message, const char*, int) {
  corokit::exec::panic(message);
}
