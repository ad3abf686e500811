// Logging for C++ PDs: one call, one line, on the monitor's output (prefixed there with the PD name).
// `log::info("got ", n, " bytes at ", hex(addr))` prints "<name>|INFO: got 3 bytes at 0x...".
// Freestanding: integers and strings only, no allocation.
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>

#include "sdk/Console.h"
#include "sdk/include/microkit.h"

namespace corokit {

struct Hex {
  uint64_t value;
  unsigned digits;
};
constexpr Hex hex(uint64_t v, unsigned digits = 16) { return Hex{v, digits}; }

namespace log {
namespace detail {

inline void put(const char* s) { sdk::console_puts(s); }
inline void put(std::string_view s) {
  for (char c : s) sdk::console_putc(c);
}
inline void put(char c) { sdk::console_putc(c); }
inline void put(bool b) { sdk::console_puts(b ? "true" : "false"); }
inline void put(Hex h) { sdk::console_put_hex(h.value, h.digits); }
template <std::unsigned_integral T>
void put(T v) {
  sdk::console_put_decimal(v);
}
template <std::signed_integral T>
void put(T v) {
  if (v < 0) {
    sdk::console_putc('-');
    sdk::console_put_decimal(static_cast<uint64_t>(-(v + 1)) + 1);
  } else {
    sdk::console_put_decimal(static_cast<uint64_t>(v));
  }
}

template <typename... Args>
void line(const char* level, const Args&... args) {
  if (level != nullptr) {
    sdk::console_puts(microkit_name);
    sdk::console_putc('|');
    sdk::console_puts(level);
    sdk::console_puts(": ");
  }
  (put(args), ...);
  sdk::console_putc('\n');
}

}  // namespace detail

template <typename... Args>
void print(const Args&... args) {
  detail::line(nullptr, args...);
}
template <typename... Args>
void info(const Args&... args) {
  detail::line("INFO", args...);
}
template <typename... Args>
void warn(const Args&... args) {
  detail::line("WARN", args...);
}
template <typename... Args>
void error(const Args&... args) {
  detail::line("ERROR", args...);
}

}  // namespace log
}  // namespace corokit
