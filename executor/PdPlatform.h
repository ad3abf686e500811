#pragma once

#include <cstdint>

// The seam between the executor and the PD runtime (sdk/). It has two halves:
//
// 1. What the executor needs from the platform: this interface. The runtime implements it by
//    calling microkit_notify / microkit_irq_ack (the host runtime: its own notify path). The
//    executor calls it only at the end of a turn, at most once per channel and kind, IRQ acks
//    first, then notifications, each in ascending channel id.
//
// 2. What the runtime calls on the executor: AsyncPd's entry points (executor/AsyncPd.h):
//      init():            construct the AsyncPd (with this platform and a frame pool), spawn tasks,
//                         then call run_turn();
//      notified(ch):      pd.on_notified(ch) for every pending channel of the wake-up, ascending,
//                         then pd.run_turn() once;
//      protected(ch, m):  handled synchronously by the PD's own code (see docs/executor.md for the
//                         patterns that let tasks prepare replies), then pd.run_turn();
//      after run_turn():  if it reported more_work, do not block: poll for pending events (so PPC
//                         callers are served), deliver them, and run another turn.
//
// Channel ids are 0..61, so one 64-bit mask holds every channel of a PD.

namespace corokit::exec {

using ChannelId = std::uint8_t;
inline constexpr unsigned kMaxChannels = 62;

class PdPlatform {
 public:
  virtual void notify(ChannelId channel) = 0;
  virtual void irq_ack(ChannelId channel) = 0;

 protected:
  ~PdPlatform() = default;
};

}  // namespace corokit::exec
