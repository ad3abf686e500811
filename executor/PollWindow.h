// A poll window: after its last work an event loop keeps polling for `window_ns` instead of sleeping,
// because waking a sleeping peer costs far more than a turn (10-70 us on a VM against ~1 us of
// work). Asked once per turn end with a count that grows with every piece of work.
//
// The clock is not read on turns with work: such a turn may have resumed a task that sends the next
// request, and a reading (~30 ns on a VM) would delay it. The window starts at the first idle
// reading instead, at most kTurnsPerClock turns later, and then the clock is read every
// kTurnsPerClock idle turns.
#pragma once

#include <cstdint>

namespace corokit::exec {

class PollWindow {
 public:
  static constexpr uint32_t kTurnsPerClock = 16;

  // True: poll this turn. `work` is the count of work done so far; `clock_ns` reads monotonic time.
  bool keep_polling(uint64_t work, uint64_t window_ns, uint64_t (*clock_ns)() noexcept) noexcept {
    if (work != work_seen_) {
      work_seen_ = work;
      started_ = false;
      idle_turns_ = 0;
      polling_ = true;
    } else if (!polling_) {
      return false;
    } else if (++idle_turns_ % kTurnsPerClock == 0) {
      const uint64_t now = clock_ns();
      if (!started_) {
        started_ = true;
        last_work_ns_ = now;
      } else if (now - last_work_ns_ >= window_ns) {
        polling_ = false;  // the window passed without work
        return false;
      }
    }
    return true;
  }

  // Ends the window until the next work (e.g. the work left runs elsewhere and will raise an event).
  void stop() noexcept { polling_ = false; }

 private:
  uint64_t work_seen_ = 0;     // `work` at the last turn end
  uint64_t last_work_ns_ = 0;  // set at the first idle clock reading after work
  uint32_t idle_turns_ = 0;    // turns without work since the last work
  bool started_ = false;       // last_work_ns_ is set
  bool polling_ = false;
};

}  // namespace corokit::exec
