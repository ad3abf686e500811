// The client end of the timer protocol (PROTOCOLS.md §2) for a PD: the time is read from the clock
// page (a local read, never a PPC), the deadline goes to the timer driver by PPC. It is the
// executor's TimerDevice, so a TimerService can run on it; it is usable on its own as well.
//
//   uintptr_t clock_page;                     // setvar_vaddr="clock_page" on the clock page's map
//   corokit::TimerClient clock(kTimerChannel, clock_page);
//   uint64_t t = clock.now();                 // ns since the system epoch
//
// Without a clock page (vaddr 0), or while it is not yet published, now() falls back to GET_TIME.
// Freestanding.
#pragma once

#include <cstdint>

#include "executor/Timer.h"
#include "sdk/ClockPageReader.h"
#include "sdk/protocol/Timer.h"

namespace corokit {

class TimerClient final : public exec::TimerDevice {
 public:
  // `channel`: this PD's end of its channel to the timer driver (pp="true" on this end).
  TimerClient(unsigned channel, std::uintptr_t clock_page) noexcept;

  // Nanoseconds since the system epoch.
  std::uint64_t now() noexcept override;
  // SET_DEADLINE (absolute); false when the driver answered TIMER_ERR.
  bool set_deadline(std::uint64_t deadline) noexcept override;
  // SET_TIMEOUT (relative; the driver saturates), CANCEL, GET_TIME: false / 0 on an error reply.
  bool set_timeout(std::uint64_t ns) noexcept;
  bool cancel() noexcept;
  std::uint64_t get_time() noexcept;
  struct Info {
    std::uint64_t version = 0;
    std::uint64_t resolution_ns = 0;
  };
  // GET_INFO; false on an error reply.
  bool info(Info& out) noexcept;
  // GET_INFO at first contact: true when the driver speaks CK_TIMER_PROTOCOL_VERSION; otherwise
  // logs why not.
  bool check_version() noexcept;

  unsigned channel() const noexcept { return channel_; }
  // True once a valid clock page has been read (now() then makes no PPC).
  bool uses_clock_page() noexcept { return clock_.ready(); }
  std::uint64_t ppcalls() const noexcept { return ppcalls_; }

 private:
  bool call(std::uint64_t label, unsigned count) noexcept;

  unsigned channel_;
  ClockPageReader clock_;
  std::uint64_t ppcalls_ = 0;
};

}  // namespace corokit
