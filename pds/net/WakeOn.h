// A PD whose work is "make a pass over all my queues" whenever anything happens: notifications on
// any of its channels set one event, and a single task runs passes (yielding between passes while
// a budget ran out, so PPCs and other channels are served). Used by the network PDs.
#pragma once

#include "executor/AsyncPd.h"
#include "executor/Event.h"

namespace corokit::net {

class WakeOn final : public exec::EventSource {
 public:
  explicit WakeOn(exec::Event& event) noexcept : event_(event) {}
  void on_notified(exec::ChannelId) noexcept override { event_.set(); }

 private:
  exec::Event& event_;
};

}  // namespace corokit::net
