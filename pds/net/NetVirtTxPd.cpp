// The Tx virtualiser PD (TxVirtualiser.h): validates the clients' frames and forwards them to the
// driver, round-robin; returns transmitted buffers to their owners.
//
// Configuration (setvars, docs/net.md): driver_active, driver_free (+ _size), net_config
// (+ _size), and for N = 0..7 in the order of the configuration's client lines: clientN_active,
// clientN_free (+ _size), clientN_data (+ _size, + _io via region_paddr; mapped read-only);
// channel ids driver_channel and clientN_channel.
#include "pds/net/NetConfigRegion.h"
#include "pds/net/RegionSetvars.h"
#include "pds/net/TxVirtualiser.h"
#include "pds/net/VirtualiserLoop.h"
#include "pds/net/WakeOn.h"
#include "sdk/AsyncPd.h"

#define COROKIT_TX_CLIENT(n)                                                                          \
  uintptr_t client##n##_active = 0, client##n##_active_size = 0, client##n##_free = 0,                \
            client##n##_free_size = 0, client##n##_data = 0, client##n##_data_size = 0,              \
            client##n##_data_io = 0, client##n##_channel = n + 1;

extern "C" {
uintptr_t driver_free = 0, driver_free_size = 0, driver_active = 0, driver_active_size = 0;
uintptr_t net_config = 0, net_config_size = 0;
uintptr_t driver_channel = 0;
COROKIT_TX_CLIENT(0) COROKIT_TX_CLIENT(1) COROKIT_TX_CLIENT(2) COROKIT_TX_CLIENT(3)
COROKIT_TX_CLIENT(4) COROKIT_TX_CLIENT(5) COROKIT_TX_CLIENT(6) COROKIT_TX_CLIENT(7)
}

namespace {

using namespace corokit;
using namespace corokit::net;

constexpr unsigned kSlots = 8;

struct NetVirtTxPd {
  exec::Event wake;
  WakeOn sources[kSlots + 1] = {WakeOn{wake}, WakeOn{wake}, WakeOn{wake}, WakeOn{wake}, WakeOn{wake},
                                WakeOn{wake}, WakeOn{wake}, WakeOn{wake}, WakeOn{wake}};
  exec::ChannelId channels[kSlots] = {};
  unsigned clients = 0;
  bool reported[kSlots] = {};

  void start(exec::AsyncPd& pd) {
    static NetConfig config;
    if (!read_net_config(net_config, net_config_size, config, "net tx virt")) return;
    const uintptr_t slots[kSlots][8] = {
        {client0_active, client0_active_size, client0_free, client0_free_size, client0_data, client0_data_size, client0_data_io, client0_channel},
        {client1_active, client1_active_size, client1_free, client1_free_size, client1_data, client1_data_size, client1_data_io, client1_channel},
        {client2_active, client2_active_size, client2_free, client2_free_size, client2_data, client2_data_size, client2_data_io, client2_channel},
        {client3_active, client3_active_size, client3_free, client3_free_size, client3_data, client3_data_size, client3_data_io, client3_channel},
        {client4_active, client4_active_size, client4_free, client4_free_size, client4_data, client4_data_size, client4_data_io, client4_channel},
        {client5_active, client5_active_size, client5_free, client5_free_size, client5_data, client5_data_size, client5_data_io, client5_channel},
        {client6_active, client6_active_size, client6_free, client6_free_size, client6_data, client6_data_size, client6_data_io, client6_channel},
        {client7_active, client7_active_size, client7_free, client7_free_size, client7_data, client7_data_size, client7_data_io, client7_channel}};
    static TxVirtualiserConfig c;
    c.driver_active = queue_at(driver_active, driver_active_size);
    c.driver_free = queue_at(driver_free, driver_free_size);
    while (clients < kSlots && slots[clients][0] != 0) ++clients;
    if (clients != config.client_count) {
      log::error("net tx virt: ", clients, " client queue sets mapped but ", config.client_count,
                 " clients configured");
      return;
    }
    c.client_count = clients;
    for (unsigned i = 0; i < clients; ++i) {
      c.clients[i].active = queue_at(slots[i][0], slots[i][1]);
      c.clients[i].free = queue_at(slots[i][2], slots[i][3]);
      c.clients[i].data = region_at(slots[i][4], slots[i][5]);
      c.clients[i].io_base = slots[i][6];
      c.clients[i].mac = config.clients[i].mac;
      c.clients[i].anti_spoofing = true;
      channels[i] = static_cast<exec::ChannelId>(slots[i][7]);
    }
    static TxVirtualiser logic(c);
    if (!logic.valid()) {
      log::error("net tx virt: bad configuration (queues or Tx regions missing, or I/O ranges overlap)");
      return;
    }
    pd.sources().attach(static_cast<exec::ChannelId>(driver_channel), sources[kSlots]);
    for (unsigned i = 0; i < clients; ++i) pd.sources().attach(channels[i], sources[i]);
    pd.spawn_detached(run_virtualiser(pd, logic, wake, static_cast<exec::ChannelId>(driver_channel), channels, clients, reported));
  }
};

}  // namespace

COROKIT_ASYNC_PD(NetVirtTxPd, 16 * 1024);
