#pragma once

#include <cstdint>

// Time for tasks: an Instant is nanoseconds since the system epoch (PROTOCOLS.md §2.2: time 0 is
// when the monitor started the system, the same in every PD), a Duration a count of nanoseconds.
// Arithmetic saturates instead of wrapping, so "now + a very long time" is simply "never".
// Freestanding (<chrono> is not).

namespace corokit::exec {

class Duration {
 public:
  constexpr Duration() noexcept = default;
  static constexpr Duration nanoseconds(std::uint64_t n) noexcept { return Duration(n); }
  static constexpr Duration microseconds(std::uint64_t n) noexcept { return Duration(scaled(n, 1'000)); }
  static constexpr Duration milliseconds(std::uint64_t n) noexcept { return Duration(scaled(n, 1'000'000)); }
  static constexpr Duration seconds(std::uint64_t n) noexcept { return Duration(scaled(n, 1'000'000'000)); }
  static constexpr Duration zero() noexcept { return Duration(0); }
  static constexpr Duration max() noexcept { return Duration(UINT64_MAX); }

  constexpr std::uint64_t ns() const noexcept { return ns_; }

  friend constexpr Duration operator+(Duration a, Duration b) noexcept {
    return Duration(a.ns_ > UINT64_MAX - b.ns_ ? UINT64_MAX : a.ns_ + b.ns_);
  }
  friend constexpr Duration operator-(Duration a, Duration b) noexcept { return Duration(a.ns_ > b.ns_ ? a.ns_ - b.ns_ : 0); }
  friend constexpr Duration operator*(Duration a, std::uint64_t k) noexcept { return Duration(scaled(a.ns_, k)); }
  friend constexpr std::uint64_t operator/(Duration a, Duration b) noexcept { return a.ns_ / b.ns_; }
  friend constexpr bool operator==(Duration a, Duration b) noexcept { return a.ns_ == b.ns_; }
  friend constexpr bool operator!=(Duration a, Duration b) noexcept { return a.ns_ != b.ns_; }
  friend constexpr bool operator<(Duration a, Duration b) noexcept { return a.ns_ < b.ns_; }
  friend constexpr bool operator<=(Duration a, Duration b) noexcept { return a.ns_ <= b.ns_; }
  friend constexpr bool operator>(Duration a, Duration b) noexcept { return a.ns_ > b.ns_; }
  friend constexpr bool operator>=(Duration a, Duration b) noexcept { return a.ns_ >= b.ns_; }

 private:
  constexpr explicit Duration(std::uint64_t ns) noexcept : ns_(ns) {}
  static constexpr std::uint64_t scaled(std::uint64_t n, std::uint64_t k) noexcept {
    return k != 0 && n > UINT64_MAX / k ? UINT64_MAX : n * k;
  }
  std::uint64_t ns_ = 0;
};

class Instant {
 public:
  constexpr Instant() noexcept = default;
  static constexpr Instant from_ns(std::uint64_t ns_since_epoch) noexcept { return Instant(ns_since_epoch); }
  static constexpr Instant epoch() noexcept { return Instant(0); }
  static constexpr Instant max() noexcept { return Instant(UINT64_MAX); }

  constexpr std::uint64_t ns() const noexcept { return ns_; }
  // Time since `earlier` (zero if `earlier` is later).
  constexpr Duration since(Instant earlier) const noexcept { return Duration::nanoseconds(ns_ > earlier.ns_ ? ns_ - earlier.ns_ : 0); }

  friend constexpr Instant operator+(Instant t, Duration d) noexcept {
    return Instant(t.ns_ > UINT64_MAX - d.ns() ? UINT64_MAX : t.ns_ + d.ns());
  }
  friend constexpr Instant operator-(Instant t, Duration d) noexcept { return Instant(t.ns_ > d.ns() ? t.ns_ - d.ns() : 0); }
  friend constexpr Duration operator-(Instant a, Instant b) noexcept { return a.since(b); }
  friend constexpr bool operator==(Instant a, Instant b) noexcept { return a.ns_ == b.ns_; }
  friend constexpr bool operator!=(Instant a, Instant b) noexcept { return a.ns_ != b.ns_; }
  friend constexpr bool operator<(Instant a, Instant b) noexcept { return a.ns_ < b.ns_; }
  friend constexpr bool operator<=(Instant a, Instant b) noexcept { return a.ns_ <= b.ns_; }
  friend constexpr bool operator>(Instant a, Instant b) noexcept { return a.ns_ > b.ns_; }
  friend constexpr bool operator>=(Instant a, Instant b) noexcept { return a.ns_ >= b.ns_; }

 private:
  constexpr explicit Instant(std::uint64_t ns) noexcept : ns_(ns) {}
  std::uint64_t ns_ = 0;
};

// `using namespace corokit::exec::time_literals;` then `co_await sleep_for(10_ms);`
namespace time_literals {
constexpr Duration operator""_ns(unsigned long long n) noexcept { return Duration::nanoseconds(n); }
constexpr Duration operator""_us(unsigned long long n) noexcept { return Duration::microseconds(n); }
constexpr Duration operator""_ms(unsigned long long n) noexcept { return Duration::milliseconds(n); }
constexpr Duration operator""_s(unsigned long long n) noexcept { return Duration::seconds(n); }
}  // namespace time_literals

}  // namespace corokit::exec
