// A misbehaving network client for tests/net/NetSystemTest: it maps the queues and regions a client
// gets (the same setvars as NetClient) and, for a while, fills them with garbage — random indices,
// descriptors with forged offsets and lengths, buffers it does not hold, frames with a spoofed
// source MAC (the other client's) — and notifies its peers after each burst. The virtualisers and
// its copier must reject all of it without disturbing the other client.
#include <cstring>

#include "executor/Yield.h"
#include "executor/net/NetConfig.h"
#include "sdk/AsyncPd.h"
#include "sdk/protocol/Net.h"

extern "C" {
uintptr_t net_rx_free = 0, net_rx_free_size = 0, net_rx_active = 0, net_rx_active_size = 0;
uintptr_t net_tx_free = 0, net_tx_free_size = 0, net_tx_active = 0, net_tx_active_size = 0;
uintptr_t net_rx_data = 0, net_rx_data_size = 0, net_tx_data = 0, net_tx_data_size = 0;
uintptr_t net_config = 0, net_config_size = 0;
uintptr_t net_rx_channel = 0, net_tx_channel = 1;
}

namespace {

using namespace corokit;

std::uint64_t g_state = 0x1234567887654321ull;
std::uint64_t next() {
  g_state ^= g_state << 13;
  g_state ^= g_state >> 7;
  g_state ^= g_state << 17;
  return g_state;
}

struct Hostile {
  void start(exec::AsyncPd& pd) { pd.spawn_detached(attack(pd)); }

  exec::Task<void> attack(exec::AsyncPd& pd) {
    auto* rx_free = reinterpret_cast<net_queue*>(net_rx_free);
    auto* tx_active = reinterpret_cast<net_queue*>(net_tx_active);
    auto* tx_data = reinterpret_cast<std::uint8_t*>(net_tx_data);
    net::NetConfig config;
    net::parse_net_config(reinterpret_cast<const char*>(net_config), net_config_size, config);
    const net::MacAddress victim = config.clients[0].mac;
    log::info("hostile: attacking");
    for (unsigned round = 0; round < 3000; ++round) {
      // Frames that claim the victim's source MAC, on buffers we do and do not hold.
      for (unsigned i = 0; i < 4; ++i) {
        std::uint8_t* f = tx_data + (next() % 64) * 2048;
        std::memset(f, 0xff, 6);
        std::memcpy(f + 6, victim.bytes, 6);
      }
      // Garbage descriptors, then indices moved arbitrarily (forwards, backwards, far ahead).
      for (net_queue* q : {rx_free, tx_active}) {
        for (unsigned i = 0; i < 8; ++i) {
          const unsigned slot = static_cast<unsigned>(next() % 512);
          q->slots[slot].io_or_offset = next() % 8 == 0 ? next() : (next() % 600) * 2048 + (next() % 4 == 0 ? 1 : 0);
          q->slots[slot].len = static_cast<std::uint16_t>(next());
          q->slots[slot].oid = static_cast<std::uint8_t>(next() % 3);
        }
        __atomic_store_n(&q->tail, static_cast<std::uint16_t>(q->tail + next() % 600), __ATOMIC_RELEASE);
        if (next() % 4 == 0) q->head = static_cast<std::uint16_t>(next());
        q->consumer_signalled = static_cast<std::uint32_t>(next() % 2);
      }
      pd.notify(static_cast<exec::ChannelId>(net_rx_channel));
      pd.notify(static_cast<exec::ChannelId>(net_tx_channel));
      co_await exec::yield_now();
    }
    log::info("hostile: done");
  }
};

}  // namespace

COROKIT_ASYNC_PD(Hostile, 16 * 1024);
