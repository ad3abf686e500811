// A network client PD's stack, set up from its setvars and the network configuration (docs/net.md):
//
//   struct Echo {
//     corokit::net::NetClient net;
//     void start(corokit::exec::AsyncPd& pd) {
//       if (!net.start(pd)) return;                // logs what is missing
//       pd.spawn_detached(serve(net.stack()));
//     }
//   };
//
// The PD's name (microkit_name) selects its line of the configuration: its MAC address and IPv4
// settings. Setvars (all optional to declare in the SDF except the queues and regions):
// net_rx_free, net_rx_active, net_tx_free, net_tx_active (+ _size), net_rx_data (+ _size),
// net_tx_data (+ _size), net_config (+ _size), and the channel ids net_rx_channel (to the copier or
// Rx virtualiser) and net_tx_channel (to the Tx virtualiser). A client without a copier maps the Rx
// DMA region read-only as net_rx_data and sets net_rx_trusted (any non-zero value, e.g. through
// setvar_size) — frames are then copied once into lwIP instead of referenced.
//
// lwIP's timers run whenever the stack is woken by a frame or a socket operation and, when the PD
// has a timer service (corokit::PdTimers started before NetClient::start), every 100 ms as well
// (docs/net.md, "Timers").
#pragma once

#include "executor/AsyncPd.h"
#include "executor/Timer.h"
#include "executor/net/ClientQueues.h"
#include "executor/net/NetStack.h"

namespace corokit::net {

class NetClient {
 public:
  bool start(exec::AsyncPd& pd);
  NetStack& stack() noexcept { return *stack_; }
  const ClientEntry& entry() const noexcept { return *entry_; }

 private:
  exec::Task<void> drive_timers();
  exec::Task<void> tick_timers(exec::TimerService& timers);

  NetStack* stack_ = nullptr;
  const ClientEntry* entry_ = nullptr;
};

}  // namespace corokit::net
