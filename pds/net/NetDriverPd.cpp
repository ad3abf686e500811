// The host NIC driver PD (PROTOCOLS.md §4.9, HOST_BOARD.md): the PD that declares a NIC's IRQ gets
// the backend's frame descriptor (TAP or the slirp socketpair, sdk/host/DeviceInfo.h) and moves
// frames between it and the driver queues: read() straight into an Rx DMA buffer, write() straight
// from a client's Tx buffer — no copy in the PD. One pass per wake-up (NicDriver.h); one
// notification per peer per turn.
//
// Configuration (setvars, docs/net.md): device_regs (the NIC's register window), rx_free,
// rx_active, tx_free, tx_active (+ _size), rx_dma (+ _size, + _io via region_paddr), tx_dma0..7
// (+ _size, + _io): the clients' Tx regions; channel ids irq_channel, rx_channel, tx_channel.
#include <unistd.h>

#include "executor/Yield.h"
#include "pds/net/NicDriver.h"
#include "pds/net/RegionSetvars.h"
#include "pds/net/WakeOn.h"
#include "sdk/AsyncPd.h"
#include "sdk/host/DeviceInfo.h"

#define COROKIT_TX_DMA(n) uintptr_t tx_dma##n = 0, tx_dma##n##_size = 0, tx_dma##n##_io = 0;

extern "C" {
uintptr_t device_regs = 0;
uintptr_t rx_free = 0, rx_free_size = 0, rx_active = 0, rx_active_size = 0;
uintptr_t tx_free = 0, tx_free_size = 0, tx_active = 0, tx_active_size = 0;
uintptr_t rx_dma = 0, rx_dma_size = 0, rx_dma_io = 0;
COROKIT_TX_DMA(0) COROKIT_TX_DMA(1) COROKIT_TX_DMA(2) COROKIT_TX_DMA(3)
COROKIT_TX_DMA(4) COROKIT_TX_DMA(5) COROKIT_TX_DMA(6) COROKIT_TX_DMA(7)
uintptr_t irq_channel = 0, rx_channel = 1, tx_channel = 2;
}

namespace {

using namespace corokit;
using namespace corokit::net;

class FdFrames final : public FrameIo {
 public:
  explicit FdFrames(int fd) noexcept : fd_(fd) {}
  long read_frame(std::uint8_t* buffer, std::size_t capacity) noexcept override { return ::read(fd_, buffer, capacity); }
  long write_frame(const std::uint8_t* frame, std::size_t len) noexcept override { return ::write(fd_, frame, len); }

 private:
  int fd_;
};

NicDriverConfig configure() {
  NicDriverConfig c;
  c.rx_free = queue_at(rx_free, rx_free_size);
  c.rx_active = queue_at(rx_active, rx_active_size);
  c.tx_free = queue_at(tx_free, tx_free_size);
  c.tx_active = queue_at(tx_active, tx_active_size);
  c.rx_dma = region_at(rx_dma, rx_dma_size);
  c.rx_io = rx_dma_io;
  const uintptr_t tx[][3] = {{tx_dma0, tx_dma0_size, tx_dma0_io}, {tx_dma1, tx_dma1_size, tx_dma1_io},
                             {tx_dma2, tx_dma2_size, tx_dma2_io}, {tx_dma3, tx_dma3_size, tx_dma3_io},
                             {tx_dma4, tx_dma4_size, tx_dma4_io}, {tx_dma5, tx_dma5_size, tx_dma5_io},
                             {tx_dma6, tx_dma6_size, tx_dma6_io}, {tx_dma7, tx_dma7_size, tx_dma7_io}};
  for (const auto& r : tx) {
    if (r[0] == 0) break;
    c.tx[c.tx_region_count++] = {region_at(r[0], r[1]), r[2]};
  }
  return c;
}

struct NetDriverPd {
  exec::Event wake;
  WakeOn irq_source{wake}, rx_source{wake}, tx_source{wake};
  NicDriver* driver = nullptr;
  FdFrames* frames = nullptr;

  void start(exec::AsyncPd& pd) {
    const auto* info = reinterpret_cast<const host::DeviceInfo*>(device_regs);
    if (info == nullptr || info->magic != host::kDeviceInfoMagic || info->kind != 3 || info->fd < 0) {
      log::error("net driver: no NIC register window or no backend (map the NIC's window, give --nic)");
      return;
    }
    static NicDriver logic(configure());
    static FdFrames io(info->fd);
    if (!logic.valid()) {
      log::error("net driver: bad configuration (queues, Rx DMA region or Tx regions missing)");
      return;
    }
    driver = &logic;
    frames = &io;
    log::info("net driver: ", info->backend, ", ", logic.valid() ? "ready" : "");
    pd.sources().attach(static_cast<exec::ChannelId>(irq_channel), irq_source);
    pd.sources().attach(static_cast<exec::ChannelId>(rx_channel), rx_source);
    pd.sources().attach(static_cast<exec::ChannelId>(tx_channel), tx_source);
    pd.spawn_detached(serve(pd));
  }

  exec::Task<void> serve(exec::AsyncPd& pd) {
    wake.set();  // the first pass acknowledges the start-up IRQ
    for (;;) {
      co_await wake;
      wake.reset();
      for (;;) {
        NicDriver::Pass p = driver->pass(*frames);
        if (p.notify & NicDriver::kNotifyRxVirt) pd.notify(static_cast<exec::ChannelId>(rx_channel));
        if (p.notify & NicDriver::kNotifyTxVirt) pd.notify(static_cast<exec::ChannelId>(tx_channel));
        if (p.ack_irq) pd.irq_ack(static_cast<exec::ChannelId>(irq_channel));
        if (!p.more) break;
        co_await exec::yield_now();
      }
    }
  }
};

}  // namespace

COROKIT_ASYNC_PD(NetDriverPd, 16 * 1024);
