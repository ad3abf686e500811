#include "pds/net/NetClient.h"

#include <time.h>

#include "executor/Timer.h"
#include "executor/Yield.h"
#include "pds/net/NetConfigRegion.h"
#include "pds/net/RegionSetvars.h"
#include "sdk/include/microkit.h"

extern "C" {
uintptr_t net_rx_free = 0, net_rx_free_size = 0, net_rx_active = 0, net_rx_active_size = 0;
uintptr_t net_tx_free = 0, net_tx_free_size = 0, net_tx_active = 0, net_tx_active_size = 0;
uintptr_t net_rx_data = 0, net_rx_data_size = 0, net_tx_data = 0, net_tx_data_size = 0;
uintptr_t net_config = 0, net_config_size = 0;
uintptr_t net_rx_channel = 0, net_tx_channel = 1;
uintptr_t net_rx_trusted = 0;
}

namespace corokit::net {
namespace {

class MonotonicClock final : public NetClock {
 public:
  std::uint64_t now_ns() noexcept override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }
};

}  // namespace

bool NetClient::start(exec::AsyncPd& pd) {
  static NetConfig config;
  if (!read_net_config(net_config, net_config_size, config, microkit_name)) return false;
  const int index = config.find(microkit_name);
  if (index < 0) {
    log::error(microkit_name, ": not a client in the network configuration");
    return false;
  }
  entry_ = &config.clients[index];
  ClientQueueConfig q;
  q.rx_free = queue_at(net_rx_free, net_rx_free_size).queue;
  q.rx_active = queue_at(net_rx_active, net_rx_active_size).queue;
  q.rx_capacity = queue_capacity_for(net_rx_active_size);
  q.tx_free = queue_at(net_tx_free, net_tx_free_size).queue;
  q.tx_active = queue_at(net_tx_active, net_tx_active_size).queue;
  q.tx_capacity = queue_capacity_for(net_tx_active_size);
  q.rx_data = reinterpret_cast<std::uint8_t*>(net_rx_data);
  q.rx_data_size = net_rx_data_size;
  q.tx_data = reinterpret_cast<std::uint8_t*>(net_tx_data);
  q.tx_data_size = net_tx_data_size;
  static ClientQueues queues(q);
  if (!queues.valid()) {
    log::error(microkit_name, ": network queues or data regions missing");
    return false;
  }
  queues.set_rx_writable(net_rx_trusted == 0);
  static MonotonicClock clock;
  NetStackConfig sc;
  sc.mac = entry_->mac;
  sc.ipv4 = entry_->ipv4;
  sc.rx_channel = static_cast<exec::ChannelId>(net_rx_channel);
  sc.tx_channel = static_cast<exec::ChannelId>(net_tx_channel);
  static NetStack stack(pd, queues, clock, sc);
  stack_ = &stack;
  stack.start();
  pd.spawn_detached(drive_timers());
  if (exec::TimerService* timers = exec::TimerService::installed()) pd.spawn_detached(tick_timers(*timers));
  return true;
}

exec::Task<void> NetClient::tick_timers(exec::TimerService& timers) {
  // lwIP's finest timer (TCP's fast timer) runs every 250 ms; a 100 ms tick keeps retransmissions,
  // delayed ACKs and TIME_WAIT on time even when no frame or socket operation wakes the stack.
  exec::Interval every(timers, exec::Duration::milliseconds(100));
  for (;;) {
    co_await every.tick();
    stack_->run_timers();
  }
}

exec::Task<void> NetClient::drive_timers() {
  // lwIP's timers also run after every wake-up of the stack (cheap: they check their due times).
  for (;;) {
    stack_->serviced().reset();
    co_await stack_->serviced();
    stack_->run_timers();
  }
}

}  // namespace corokit::net
