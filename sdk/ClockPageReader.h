// Reading the time from the clock page (PROTOCOLS.md §2.4) in C++: one seqlock read of the page
// once it is published (it never changes afterwards, so the fields are kept), then each now() is a
// local read of the page's clock source and the page's formula, the same as GET_TIME's. Freestanding.
#pragma once

#include <cstdint>

#include "sdk/PlatformClock.h"
#include "sdk/protocol/Timer.h"

namespace corokit {

class ClockPageReader {
 public:
  explicit ClockPageReader(const ck_clock_page* page) noexcept : page_(page) {}

  // True once the page is published and valid (loading it on the first call that finds it so).
  bool ready() noexcept {
    if (!loaded_ && page_ != nullptr) loaded_ = ck_clock_page_snapshot(page_, &snapshot_) != 0;
    return loaded_;
  }
  // Nanoseconds since the system epoch; only after ready() returned true.
  std::uint64_t now() const noexcept {
    return ck_clock_page_time(&snapshot_, sdk::platform_clock_reading(snapshot_.source));
  }
  const ck_clock_page& snapshot() const noexcept { return snapshot_; }

 private:
  const ck_clock_page* page_;
  ck_clock_page snapshot_{};
  bool loaded_ = false;
};

}  // namespace corokit
