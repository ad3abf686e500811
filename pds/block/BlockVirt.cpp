// The block virtualiser PD (docs/block.md): reads the device's partition table through the driver,
// confines each client to one partition (or the whole device) and serves their queue pairs with
// VirtCore.
//
// Configuration, all patched by the packer (the SDF shape is in docs/block.md):
//   blk_driver_info                  map@setvar_vaddr: the driver's storage info (read-only)
//   blk_driver_requests, _size       map@setvar_vaddr / setvar_size: the driver's request queue
//   blk_driver_responses, _size      the driver's response queue
//   blk_driver_channel               end@setvar_id: the channel to the driver
//   blk_meta, _size, _io             the virtualiser's own data region (partition tables): vaddr,
//                                    size, and <setvar region_paddr> (it is in the driver's DMA view)
//   blk_config, blk_config_size      optional: the client table (VirtConfig.h), a read-only region
//                                    prefilled from a file (map@setvar_vaddr, setvar_prefill_size)
//   blk_client<n>_info               n = 0..15: the client's storage info (read-write here)
//   blk_client<n>_requests, _size    its request queue
//   blk_client<n>_responses, _size   its response queue
//   blk_client<n>_data_size          setvar_size of the client's data region (mapped here too)
//   blk_client<n>_data_io            <setvar region_paddr> of the client's data region
//   blk_client<n>_channel            end@setvar_id: the channel to the client
// Clients are numbered by the setvars they use; a client whose request queue is not set is absent.
#include <cstdint>
#include <cstring>

#include "executor/Event.h"
#include "executor/Yield.h"
#include "pds/block/PartitionScan.h"
#include "pds/block/VirtConfig.h"
#include "pds/block/VirtCore.h"
#include "sdk/AsyncPd.h"

#define COROKIT_BLK_CLIENT(n)                  \
  uintptr_t blk_client##n##_info;              \
  uintptr_t blk_client##n##_requests;          \
  uintptr_t blk_client##n##_requests_size;     \
  uintptr_t blk_client##n##_responses;         \
  uintptr_t blk_client##n##_responses_size;    \
  uintptr_t blk_client##n##_data_size;         \
  uintptr_t blk_client##n##_data_io;           \
  uintptr_t blk_client##n##_channel = UINTPTR_MAX;

extern "C" {
uintptr_t blk_driver_info;
uintptr_t blk_driver_requests;
uintptr_t blk_driver_requests_size;
uintptr_t blk_driver_responses;
uintptr_t blk_driver_responses_size;
uintptr_t blk_driver_channel = UINTPTR_MAX;
uintptr_t blk_meta;
uintptr_t blk_meta_size;
uintptr_t blk_meta_io;
uintptr_t blk_config;
uintptr_t blk_config_size;
COROKIT_BLK_CLIENT(0) COROKIT_BLK_CLIENT(1) COROKIT_BLK_CLIENT(2) COROKIT_BLK_CLIENT(3)
COROKIT_BLK_CLIENT(4) COROKIT_BLK_CLIENT(5) COROKIT_BLK_CLIENT(6) COROKIT_BLK_CLIENT(7)
COROKIT_BLK_CLIENT(8) COROKIT_BLK_CLIENT(9) COROKIT_BLK_CLIENT(10) COROKIT_BLK_CLIENT(11)
COROKIT_BLK_CLIENT(12) COROKIT_BLK_CLIENT(13) COROKIT_BLK_CLIENT(14) COROKIT_BLK_CLIENT(15)
}

namespace {

using namespace corokit;
using namespace corokit::block;
using exec::Task;

struct ClientSetvars {
  const uintptr_t *info, *requests, *requests_size, *responses, *responses_size, *data_size, *data_io, *channel;
};
#define COROKIT_BLK_CLIENT_ROW(n)                                                                    \
  {&blk_client##n##_info,      &blk_client##n##_requests,  &blk_client##n##_requests_size,          \
   &blk_client##n##_responses, &blk_client##n##_responses_size, &blk_client##n##_data_size,         \
   &blk_client##n##_data_io,   &blk_client##n##_channel},
constexpr ClientSetvars kClients[kMaxClients] = {
    COROKIT_BLK_CLIENT_ROW(0) COROKIT_BLK_CLIENT_ROW(1) COROKIT_BLK_CLIENT_ROW(2) COROKIT_BLK_CLIENT_ROW(3)
    COROKIT_BLK_CLIENT_ROW(4) COROKIT_BLK_CLIENT_ROW(5) COROKIT_BLK_CLIENT_ROW(6) COROKIT_BLK_CLIENT_ROW(7)
    COROKIT_BLK_CLIENT_ROW(8) COROKIT_BLK_CLIENT_ROW(9) COROKIT_BLK_CLIENT_ROW(10) COROKIT_BLK_CLIENT_ROW(11)
    COROKIT_BLK_CLIENT_ROW(12) COROKIT_BLK_CLIENT_ROW(13) COROKIT_BLK_CLIENT_ROW(14) COROKIT_BLK_CLIENT_ROW(15)};

constexpr uint32_t kMetaCopy = 64 * 1024;
alignas(4096) uint8_t meta_copy[kMetaCopy];  // partition-table bytes, copied out of shared memory

// Any notification (driver or client) kicks the serving task.
struct Kick final : exec::EventSource {
  exec::Event* event = nullptr;
  void on_notified(exec::ChannelId) noexcept override { event->set(); }
};

struct BlockVirt {
  VirtCore core;
  VirtConfig config;
  exec::Event kick;
  Kick sources[kMaxClients + 1];
  exec::ChannelId client_channel[kMaxClients] = {};
  uint32_t client_setvar[kMaxClients] = {};  // client index in the core → its setvar number
  exec::ChannelId driver_channel = 0;
  uint32_t quarantined = 0;

  void start(exec::AsyncPd& pd) {
    if (blk_driver_info == 0 || blk_driver_requests == 0 || blk_driver_responses == 0 || blk_driver_channel >= 62 ||
        blk_meta == 0 || blk_meta_size < 2 * BLK_TRANSFER_SIZE) {
      log::error("configuration: blk_driver_info, blk_driver_requests, blk_driver_responses, blk_driver_channel "
                 "and blk_meta (at least 8 KiB) must be set");
      return;
    }
    VirtDriverRegions driver{reinterpret_cast<const blk_storage_info*>(blk_driver_info),
                             reinterpret_cast<void*>(blk_driver_requests), blk_driver_requests_size,
                             reinterpret_cast<void*>(blk_driver_responses), blk_driver_responses_size};
    if (!core.attach_driver(driver)) {
      log::error("configuration: the driver's queue regions are too small or too large");
      return;
    }
    driver_channel = static_cast<exec::ChannelId>(blk_driver_channel);
    if (blk_config != 0) {
      const ConfigError e = parse_virt_config(reinterpret_cast<const char*>(blk_config), blk_config_size, config);
      if (e.line != 0) log::error("configuration line ", e.line, ": ", e.what);
    }
    for (uint32_t n = 0; n < kMaxClients; ++n) {
      const ClientSetvars& s = kClients[n];
      if (*s.requests == 0) continue;
      VirtClientRegions r{reinterpret_cast<blk_storage_info*>(*s.info), reinterpret_cast<void*>(*s.requests),
                          *s.requests_size, reinterpret_cast<void*>(*s.responses), *s.responses_size,
                          *s.data_size, *s.data_io};
      if (*s.channel >= 62 || *s.info == 0 || !core.add_client(r)) {
        log::error("configuration: client ", n, " is incomplete (info, queues, data size, channel)");
        continue;
      }
      const uint32_t c = core.client_count() - 1;
      client_channel[c] = static_cast<exec::ChannelId>(*s.channel);
      client_setvar[c] = n;
    }
    sources[0].event = &kick;
    pd.sources().attach(driver_channel, sources[0]);
    for (uint32_t c = 0; c < core.client_count(); ++c) {
      sources[c + 1].event = &kick;
      pd.sources().attach(client_channel[c], sources[c + 1]);
    }
    pd.spawn_detached(run(pd));
  }

  void apply(exec::AsyncPd& pd, const PollResult& r) {
    if (r.notify_driver) pd.notify(driver_channel);
    for (uint32_t c = 0; c < core.client_count(); ++c) {
      if (r.notify_clients & (1u << c)) pd.notify(client_channel[c]);
      if (r.newly_quarantined & (1u << c)) {
        log::error("peer misbehaviour: blk_client", client_setvar[c], " ",
                   describe(core.client_counters(c).quarantined), "; no longer served");
      }
    }
    if (r.driver_quarantined) {
      log::error("peer misbehaviour: blk_driver ", describe(core.driver_counters().quarantined),
                 "; every request is now answered ERR_NO_DEVICE");
    }
  }

  Task<void> run(exec::AsyncPd& pd) {
    const auto& driver_info = *reinterpret_cast<const blk_storage_info*>(blk_driver_info);
    while (!protocol::storage_info_ready(driver_info)) {
      co_await kick;
      kick.reset();
    }
    const blk_storage_info device = protocol::snapshot(driver_info);
    const uint32_t buffer = blk_meta_size < kMetaCopy ? static_cast<uint32_t>(blk_meta_size) : kMetaCopy;
    PartitionScan scan(device.sector_size, device.capacity, buffer);
    for (ReadRange r; scan.next(r);) {
      while (!core.submit_internal(r.block, static_cast<uint16_t>(r.count), blk_meta_io)) {
        apply(pd, core.poll());
        co_await kick;
        kick.reset();
      }
      pd.notify(driver_channel);
      while (core.internal_pending()) {
        co_await kick;
        kick.reset();
        apply(pd, core.poll());
      }
      const std::size_t bytes = static_cast<std::size_t>(r.count) * BLK_TRANSFER_SIZE;
      std::memcpy(meta_copy, reinterpret_cast<const void*>(blk_meta), bytes);
      scan.feed(meta_copy, bytes, core.internal_status() == BLK_RESP_OK);
    }
    report(scan.table(), device);
    start_clients(pd, scan.table(), device);
    for (;;) {
      kick.reset();
      const PollResult r = core.poll();
      apply(pd, r);
      if (r.more) {
        co_await exec::yield_now();
      } else {
        co_await kick;
      }
    }
  }

  static const char* kind_name(TableKind k) {
    switch (k) {
      case TableKind::None: return "none";
      case TableKind::Mbr: return "MBR";
      case TableKind::Gpt: return "GPT";
      case TableKind::Invalid: return "invalid";
    }
    return "?";
  }

  void report(const PartitionTable& t, const blk_storage_info& device) {
    uint32_t served = 0;
    for (uint32_t i = 0; i < t.count; ++i) served += t.slots[i].served();
    log::info("device ", device.capacity, " blocks of 4096 bytes, sector ", device.sector_size,
              ", partition table: ", kind_name(t.kind), ", ", served, " partitions served");
    for (uint32_t bit = 0; bit < 32; ++bit) {
      if (t.notes & (1u << bit)) log::warn("partition table: ", describe(static_cast<TableNote>(1u << bit)));
    }
  }

  void start_clients(exec::AsyncPd& pd, const PartitionTable& t, const blk_storage_info& device) {
    ClientGeometry geometry[kMaxClients];
    for (uint32_t c = 0; c < core.client_count(); ++c) {
      const uint32_t n = client_setvar[c];
      ClientChoice choice = config.clients[n];
      if (!choice.configured) {
        choice.whole = t.kind == TableKind::None;
        choice.partition = n;
      }
      ClientGeometry& g = geometry[c];
      g.read_only = choice.read_only;
      char serial[BLK_SERIAL_NUMBER_LEN];
      if (choice.whole) {
        g.present = true;
        g.first_block = 0;
        g.blocks = device.capacity;
        compose_serial(serial, device, "-whole", 0, false);
      } else if ((t.kind == TableKind::Mbr || t.kind == TableKind::Gpt) && choice.partition < t.count &&
                 t.slots[choice.partition].served()) {
        g.present = true;
        g.first_block = t.first_block(choice.partition);
        g.blocks = t.blocks(choice.partition);
        compose_serial(serial, device, "-p", choice.partition, true);
      } else {
        const char* why = choice.partition < t.count ? describe(t.slots[choice.partition].problem) : "does not exist";
        log::error("client ", n, ": partition ", choice.partition, " ", why, "; its requests get ERR_NO_DEVICE");
        compose_serial(serial, device, "-none", 0, false);
      }
      core.start_client(c, g, serial);
      pd.notify(client_channel[c]);
      if (g.present) {
        log::info("client ", n, ": blocks ", g.first_block, "..", g.first_block + g.blocks,
                  g.read_only ? " (read-only)" : "");
      }
    }
    // Two clients on overlapping blocks see each other's writes: only harmless when neither writes.
    for (uint32_t a = 0; a < core.client_count(); ++a) {
      for (uint32_t b = a + 1; b < core.client_count(); ++b) {
        const ClientGeometry& x = geometry[a];
        const ClientGeometry& y = geometry[b];
        if (!x.present || !y.present || (x.read_only && y.read_only)) continue;
        if (x.first_block < y.first_block + y.blocks && y.first_block < x.first_block + x.blocks) {
          log::warn("clients ", client_setvar[a], " and ", client_setvar[b], " share blocks and one may write");
        }
      }
    }
  }

  static void compose_serial(char* out, const blk_storage_info& device, const char* suffix, uint32_t index, bool with_index) {
    unsigned n = 0;
    for (; n < 48 && device.serial_number[n] != '\0'; ++n) out[n] = device.serial_number[n];
    for (const char* s = suffix; *s != '\0' && n < 60; ++s) out[n++] = *s;
    if (with_index) {
      char digits[4];
      unsigned d = 0;
      do {
        digits[d++] = static_cast<char>('0' + index % 10);
        index /= 10;
      } while (index != 0 && d < 3);
      while (d > 0) out[n++] = digits[--d];
    }
    out[n] = '\0';
  }
};

}  // namespace

COROKIT_ASYNC_PD(BlockVirt, 64 * 1024);
