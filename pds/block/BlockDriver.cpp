// The host block driver PD (docs/block.md): drives a host-board block device (a disk image attached
// with `corokit run --disk`) through the io_uring the monitor created for it, serving the block
// virtualiser's queue pair with DriverCore.
//
// Configuration, all patched by the packer (the SDF shape is in docs/block.md):
//   blk_regs                      map@setvar_vaddr: the device's register window (information page)
//   blk_info                      map@setvar_vaddr: storage info shared with the virtualiser
//   blk_requests, _size           map@setvar_vaddr / setvar_size: the virtualiser's request queue
//   blk_responses, _size          the response queue
//   blk_virt_channel              end@setvar_id: the channel to the virtualiser
//   blk_irq                       irq@setvar_id: the device's IRQ
//   blk_options, _size            optional: map@setvar_vaddr / setvar_prefill_size of a prefilled
//                                 text region with the driver's options (DriverOptions.h)
//   blk_dma<n>, _size, _io        n = 0..19: a region of the DMA view (map@setvar_vaddr, setvar_size,
//                                 <setvar region_paddr>): every client data region and the
//                                 virtualiser's metadata region
#include <time.h>

#include <cstdint>
#include <optional>

#include "pds/block/DriverCore.h"
#include "pds/block/DriverOptions.h"
#include "pds/block/UringBackend.h"
#include "sdk/AsyncPd.h"
#include "sdk/host/BlockDevice.h"

#define COROKIT_BLK_DMA(n)       \
  uintptr_t blk_dma##n;          \
  uintptr_t blk_dma##n##_size;   \
  uintptr_t blk_dma##n##_io;

extern "C" {
uintptr_t blk_regs;
uintptr_t blk_info;
uintptr_t blk_requests;
uintptr_t blk_requests_size;
uintptr_t blk_responses;
uintptr_t blk_responses_size;
uintptr_t blk_virt_channel = UINTPTR_MAX;
uintptr_t blk_irq = UINTPTR_MAX;
uintptr_t blk_options;
uintptr_t blk_options_size;
COROKIT_BLK_DMA(0) COROKIT_BLK_DMA(1) COROKIT_BLK_DMA(2) COROKIT_BLK_DMA(3) COROKIT_BLK_DMA(4)
COROKIT_BLK_DMA(5) COROKIT_BLK_DMA(6) COROKIT_BLK_DMA(7) COROKIT_BLK_DMA(8) COROKIT_BLK_DMA(9)
COROKIT_BLK_DMA(10) COROKIT_BLK_DMA(11) COROKIT_BLK_DMA(12) COROKIT_BLK_DMA(13) COROKIT_BLK_DMA(14)
COROKIT_BLK_DMA(15) COROKIT_BLK_DMA(16) COROKIT_BLK_DMA(17) COROKIT_BLK_DMA(18) COROKIT_BLK_DMA(19)
}

namespace {

using namespace corokit;
using corokit::block::DmaView;
using corokit::block::DriverConfig;
using corokit::block::DriverCore;
using corokit::block::UringBackend;

struct DmaSetvars {
  const uintptr_t* vaddr;
  const uintptr_t* size;
  const uintptr_t* io;
};
#define COROKIT_BLK_DMA_ROW(n) {&blk_dma##n, &blk_dma##n##_size, &blk_dma##n##_io},
constexpr DmaSetvars kDma[] = {
    COROKIT_BLK_DMA_ROW(0) COROKIT_BLK_DMA_ROW(1) COROKIT_BLK_DMA_ROW(2) COROKIT_BLK_DMA_ROW(3)
    COROKIT_BLK_DMA_ROW(4) COROKIT_BLK_DMA_ROW(5) COROKIT_BLK_DMA_ROW(6) COROKIT_BLK_DMA_ROW(7)
    COROKIT_BLK_DMA_ROW(8) COROKIT_BLK_DMA_ROW(9) COROKIT_BLK_DMA_ROW(10) COROKIT_BLK_DMA_ROW(11)
    COROKIT_BLK_DMA_ROW(12) COROKIT_BLK_DMA_ROW(13) COROKIT_BLK_DMA_ROW(14) COROKIT_BLK_DMA_ROW(15)
    COROKIT_BLK_DMA_ROW(16) COROKIT_BLK_DMA_ROW(17) COROKIT_BLK_DMA_ROW(18) COROKIT_BLK_DMA_ROW(19)};

uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

struct BlockDriver {
  UringBackend io;
  DmaView dma;
  std::optional<DriverCore> core;
  bool read_mapped = false;

  void start(exec::AsyncPd& pd) {
    if (blk_info == 0 || blk_requests == 0 || blk_responses == 0 || blk_virt_channel >= 62) {
      log::error("configuration: blk_info, blk_requests, blk_responses and blk_virt_channel must be set");
      return;
    }
    const uint32_t capacity = protocol::block_queue_capacity(blk_requests_size, blk_responses_size);
    if (capacity == 0) {
      log::error("configuration: the queue regions hold no slot (blk_requests_size, blk_responses_size)");
      return;
    }
    for (const DmaSetvars& w : kDma) {
      if (*w.vaddr == 0) continue;
      if (!dma.add(*w.io, *w.size, reinterpret_cast<void*>(*w.vaddr))) {
        log::error("configuration: DMA region at ", hex(*w.vaddr), " has no size or I/O address");
      }
    }

    DriverConfig config;
    config.virt_channel = static_cast<exec::ChannelId>(blk_virt_channel);
    config.irq_channel = static_cast<exec::ChannelId>(blk_irq < 62 ? blk_irq : 0);
    config.has_irq = blk_irq < 62;
    if (blk_options != 0) {
      block::DriverOptions options;
      const block::ConfigError e = block::parse_driver_options(reinterpret_cast<const char*>(blk_options), blk_options_size, options);
      if (e.what != nullptr) log::error("options line ", e.line, ": ", e.what);
      config.poll_ns = uint64_t{options.poll_us} * 1000;
      config.clock_ns = monotonic_ns;
      if (options.poll_us != 0) log::info("polling for ", options.poll_us, " us after the last request or completion");
      read_mapped = options.read_mapped;
    }
    auto& info = *reinterpret_cast<blk_storage_info*>(blk_info);
    const char* problem = attach_device(config);
    if (problem != nullptr) {
      log::error("no device: ", problem, "; every request is answered ERR_NO_DEVICE");
      config.no_device = true;
      config.capacity = 0;
      set_serial(info, "none");
      info.sector_size = 512;
    }
    info.read_only = config.read_only ? 1 : 0;
    info.block_size = 1;
    info.queue_depth = static_cast<uint16_t>(capacity < 0xffff ? capacity : 0xffff);
    info.cylinders = info.heads = info.blocks = 0;
    info.capacity = config.capacity;
    protocol::publish_storage_info(info);
    pd.notify(config.virt_channel);

    core.emplace(pd, io, dma, protocol::block_server_end(reinterpret_cast<void*>(blk_requests),
                                                         reinterpret_cast<void*>(blk_responses), capacity),
                 capacity, config);
    core->start();
  }

  // Maps the device's ring; nullptr, or why there is no usable device.
  const char* attach_device(DriverConfig& config) {
    if (blk_regs == 0) return "blk_regs is not set (map the device's register window)";
    const auto* dev = reinterpret_cast<const host::DeviceInfo*>(blk_regs);
    if (dev->magic != host::kDeviceInfoMagic || dev->kind != 2) return "blk_regs is not a block device's register window";
    const host::BlockRegisters& regs = *host::block_registers(dev);
    if (regs.magic != host::kBlockRegistersMagic || dev->fd < 0) return "the device has no backend attached";
    if (!config.has_irq) return "blk_irq is not set (declare the device's IRQ)";
    if (const char* why = io.attach(dev->fd, regs.ring_params, regs.fixed_file)) return why;
    io.attach_image(dev->fd2);  // -1 for an O_DIRECT image: then everything goes through the ring
    if (read_mapped) {
      if (const char* why = io.map_image(static_cast<uint64_t>(regs.capacity) * BLK_TRANSFER_SIZE)) {
        log::warn("read-mapped: ", why, "; small reads use preadv2");
      } else {
        log::info("read-mapped: small reads copy from a mapping of the image");
      }
    }
    if (const char* why = io.register_buffers(dma)) log::warn("DMA regions not registered with io_uring (", why, "); transfers work, slower");
    config.capacity = regs.capacity;
    config.read_only = regs.read_only != 0;
    auto& info = *reinterpret_cast<blk_storage_info*>(blk_info);
    set_serial(info, regs.serial);
    info.sector_size = static_cast<uint16_t>(regs.sector_size);
    log::info("block", dev->index, ": ", regs.serial, ", ", regs.capacity, " blocks of 4096 bytes",
              config.read_only ? ", read-only" : "", ", ", dma.count(), " DMA regions");
    return nullptr;
  }

  static void set_serial(blk_storage_info& info, const char* serial) {
    unsigned n = 0;
    for (; serial[n] != '\0' && n < BLK_SERIAL_NUMBER_LEN - 1; ++n) info.serial_number[n] = serial[n];
    for (; n < BLK_SERIAL_NUMBER_LEN; ++n) info.serial_number[n] = '\0';
  }
};

}  // namespace

COROKIT_ASYNC_PD(BlockDriver, 512 * 1024);
