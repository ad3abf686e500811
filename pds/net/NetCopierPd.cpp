// The copier PD (Copier.h): one per untrusted client; copies frames from the Rx DMA region into
// the client's own Rx buffers.
//
// Configuration (setvars, docs/net.md): virt_active, virt_free, client_active, client_free
// (+ _size), rx_dma (+ _size; mapped read-only), client_data (+ _size); channel ids virt_channel
// and client_channel.
#include "executor/Yield.h"
#include "pds/net/Copier.h"
#include "pds/net/RegionSetvars.h"
#include "pds/net/WakeOn.h"
#include "sdk/AsyncPd.h"

extern "C" {
uintptr_t virt_active = 0, virt_active_size = 0, virt_free = 0, virt_free_size = 0;
uintptr_t client_active = 0, client_active_size = 0, client_free = 0, client_free_size = 0;
uintptr_t rx_dma = 0, rx_dma_size = 0, client_data = 0, client_data_size = 0;
uintptr_t virt_channel = 0, client_channel = 1;
}

namespace {

using namespace corokit;
using namespace corokit::net;

struct NetCopierPd {
  exec::Event wake;
  WakeOn virt_source{wake}, client_source{wake};
  Copier* copier = nullptr;
  bool reported = false;

  void start(exec::AsyncPd& pd) {
    CopierConfig c;
    c.virt_active = queue_at(virt_active, virt_active_size);
    c.virt_free = queue_at(virt_free, virt_free_size);
    c.client_active = queue_at(client_active, client_active_size);
    c.client_free = queue_at(client_free, client_free_size);
    c.dma = region_at(rx_dma, rx_dma_size);
    c.client = region_at(client_data, client_data_size);
    static Copier logic(c);
    if (!logic.valid()) {
      log::error("net copier: bad configuration (queues or data regions missing)");
      return;
    }
    copier = &logic;
    pd.sources().attach(static_cast<exec::ChannelId>(virt_channel), virt_source);
    pd.sources().attach(static_cast<exec::ChannelId>(client_channel), client_source);
    pd.spawn_detached(serve(pd));
  }

  exec::Task<void> serve(exec::AsyncPd& pd) {
    wake.set();
    for (;;) {
      co_await wake;
      wake.reset();
      for (;;) {
        Copier::Pass p = copier->pass();
        if (p.notify & Copier::kNotifyClient) pd.notify(static_cast<exec::ChannelId>(client_channel));
        if (p.notify & Copier::kNotifyVirt) pd.notify(static_cast<exec::ChannelId>(virt_channel));
        const PeerHealth& h = copier->client_health();
        if (h.quarantined && !reported) {
          reported = true;
          log::error("peer misbehaviour: client ", h.queue, " ", h.reason);
        }
        if (!p.more) break;
        co_await exec::yield_now();
      }
    }
  }
};

}  // namespace

COROKIT_ASYNC_PD(NetCopierPd, 16 * 1024);
