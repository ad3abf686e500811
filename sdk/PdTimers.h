// The timer service of a coroutine PD (sdk/AsyncPd.h): a TimerClient on the PD's channel to the
// timer driver and its clock page, and an exec::TimerService on the PD's executor (docs/timer.md).
//
//   extern "C" { uintptr_t clock_page = 0; }      // setvar_vaddr="clock_page" on the clock page's map
//   struct Clock {
//     corokit::PdTimers timers{kTimerChannel, clock_page};
//     void start(corokit::exec::AsyncPd& pd) { pd.spawn_detached(tick(timers.start(pd))); }
//   };
//   COROKIT_ASYNC_PD(Clock, 64 * 1024);
//
// Setvars hold their values before static constructors run, so `clock_page` can be read in a
// member initializer. Freestanding.
#pragma once

#include <cstdint>

#include "executor/AsyncPd.h"
#include "executor/Optional.h"
#include "executor/Panic.h"
#include "executor/Timer.h"
#include "sdk/TimerClient.h"

namespace corokit {

class PdTimers {
 public:
  PdTimers(unsigned channel, std::uintptr_t clock_page, exec::TimerConfig config = {}) noexcept
      : client_(channel, clock_page), config_(config) {}
  PdTimers(const PdTimers&) = delete;
  PdTimers& operator=(const PdTimers&) = delete;

  // Creates the service on `pd` the first time (after checking the driver's protocol version with
  // one GET_INFO) and returns it; it becomes the installed service of exec::sleep_for and friends.
  exec::TimerService& start(exec::AsyncPd& pd) noexcept {
    if (!service_) {
      client_.check_version();
      service_.emplace(pd, client_, static_cast<exec::ChannelId>(client_.channel()), config_);
    }
    return *service_;
  }
  exec::TimerService& service() noexcept {
    if (!service_) exec::panic("corokit: PdTimers::service() before start()");
    return *service_;
  }
  TimerClient& client() noexcept { return client_; }

 private:
  TimerClient client_;
  exec::TimerConfig config_;
  exec::Optional<exec::TimerService> service_;  // after the client: destroyed first
};

}  // namespace corokit
